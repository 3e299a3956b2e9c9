package oidc

import (
	"context"
	"net/url"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// resolvedAuth is an authorization request as it is to be judged: the
// parameters of its pushed request (request_uri) or request object
// (request) when it has one, else its own.
type resolvedAuth struct {
	params url.Values // what the request asks for
	outer  url.Values // the request as sent, which a sign-in detour resumes
	resume authResume // the request's opened sign-in marker, if any
	// resumeErr is a marker that did not open: invalid_request, sent to the
	// redirect URI once that is known.
	resumeErr error
	pushed    pushed // ID is empty unless the request came from /oauth/par
}

// resolveAuthorize reads the request's pushed request or request object.
// Either is judged as of the moment the request was first seen: when it
// comes back from a sign-in, its marker says when that was, so a member
// who took longer to sign in than a request_uri lives is not turned away.
// Its errors are pages: until they are resolved, the redirect URI is not
// known (RFC 9101 §6.2, RFC 9126 §4).
func (p *Provider) resolveAuthorize(ctx context.Context, t model.Tenant, c model.Client, outer url.Values) (resolvedAuth, error) {
	res := resolvedAuth{params: outer, outer: outer}
	if oauth.SingleValues(outer, "request", "request_uri", authResumeParam) != nil {
		return res, httpx.BadRequestMsg(i18n.M("authorize.repeated_request"))
	}
	now := p.Now()
	res.resume, res.resumeErr = p.openResume(t, outer, now)
	seen := now
	if !res.resume.At.IsZero() {
		seen = res.resume.At
	}
	var err error
	switch {
	case outer.Has("request_uri") && outer.Has("request"):
		return res, httpx.BadRequestMsg(i18n.M("authorize.repeated_request"))
	case outer.Has("request_uri"):
		res.pushed, res.params, err = p.openPushed(t, c, outer.Get("request_uri"), seen)
	case outer.Has("request"):
		res.params, err = p.verifyRequestObject(ctx, t, c, outer.Get("request"), seen)
	}
	if err != nil {
		return res, resolvePage(c, err)
	}
	return res, nil
}

// resolvePage words a refused request_uri or request object for the member,
// who can only go back to the application.
func resolvePage(c model.Client, err error) error {
	oe := oauth.FromError(err)
	if oe.Code == oauth.CodeServerError {
		return httpx.Internal(err)
	}
	// The protocol's own words stay English, as error codes do.
	return httpx.BadRequestMsg(i18n.M("authorize.request_unusable", c.Name, string(oe.Code)+": "+oe.Description)).WithCause(err)
}
