package oidc

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/login"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// authLoginPath is the sign-in page (internal/login). It accepts
// return_to (a local path), login_hint (pre-fills the email) and
// prompt=login (show the form even to a signed-in member).
const authLoginPath = "/login"

// authResumeParam marks a request sent through /login and back. Only
// Guildgate adds it; a client that sends it could as well have left out
// prompt and max_age: it can only weaken its own request.
const authResumeParam = "gg_resume"

// authClockSkew is how far replicas' clocks may disagree when comparing a
// session's auth_time with the moment a sign-in was asked for.
const authClockSkew = 5 * time.Second

// authResume is the marker's value: when the request sent the browser to
// sign in, and a tag of the session it found wanting ("-" for none). The
// tag is a hash, so the URL does not reveal the session's id.
type authResume struct {
	At  time.Time // zero when the request has no marker
	Tag string    // authSessionTag of the session then
}

// freshFor reports whether s is the result of the sign-in the marker asked
// for: another session than the one found wanting, authenticated after the
// request was first seen. Both matter: the session id cannot be fooled by
// clocks, and the time keeps a session that existed all along but whose
// cookie did not ride along (a cross-site POST) from counting as new.
func (r authResume) freshFor(s model.Session) bool {
	return !r.At.IsZero() && authSessionTag(s.ID) != r.Tag &&
		!s.AuthTime.Before(r.At.Add(-authClockSkew))
}

func (r authResume) String() string {
	return strconv.FormatInt(r.At.Unix(), 10) + "." + r.Tag
}

// authSessionTag names a session in the marker ("-" for none).
func authSessionTag(sessionID string) string {
	if sessionID == "" {
		return "-"
	}
	return ids.Hash("authorize-resume:" + sessionID)[:16]
}

// parseAuthResume reads the marker.
func parseAuthResume(s string) (authResume, error) {
	if s == "" {
		return authResume{}, nil
	}
	secs, tag, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || n <= 0 || tag == "" || len(tag) > 16 {
		return authResume{}, oauth.InvalidRequest(authResumeParam + " is malformed.")
	}
	return authResume{At: time.Unix(n, 0), Tag: tag}, nil
}

// authToLogin sends the browser to /login and back to this request (as a
// GET, whatever its method), marked. force shows the form to a member who
// is already signed in.
func authToLogin(req *authRequest, mark authResume, force bool, loginHint string) (authNext, error) {
	resume := url.Values{}
	for k, vs := range req.params {
		resume[k] = vs
	}
	resume.Set(authResumeParam, mark.String())
	returnTo := PathAuthorize + "?" + resume.Encode()
	if login.SafeReturnTo(returnTo) != returnTo {
		return authNext{}, oauth.InvalidRequest("The authorization request is too long to resume after sign-in.")
	}
	q := url.Values{"return_to": {returnTo}}
	if loginHint != "" {
		q.Set("login_hint", loginHint)
	}
	if force {
		q.Set("prompt", "login")
	}
	return authNext{login: authLoginPath + "?" + q.Encode()}, nil
}
