package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/secrets"
)

// Pushed authorization requests (RFC 9126). The client posts its request to
// /oauth/par, authenticated like at the token endpoint, and gets back a
// request_uri to send the browser with instead of the parameters.
//
// The request_uri holds the checked request itself, sealed with the master
// key and bound to the tenant and client (secrets.Keyring: authenticated
// encryption), so pushing costs no row: nobody can make one, read one, or
// use one made for another client. It can be presented until it expires,
// since the member's browser comes back with it after signing in, but it
// answers once: the authorization it leads to spends its id in AuthResumes,
// and a second one is refused.

// PathPAR is the pushed authorization request endpoint.
const PathPAR = "/oauth/par"

// Lifetimes of a pushed request. A request_uri must reach /oauth/authorize
// within PARTTL (RFC 9126 §2.2 suggests 5 to 600 seconds); a member who
// then signs in has until the sign-in marker expires (authResumeTTL).
const (
	PARTTL         = 90 * time.Second
	requestURIBase = "urn:ietf:params:oauth:request_uri:"
	// parMaxParams bounds the parameters pushed, so that the request_uri
	// and the sign-in detour that carries it stay within URL limits
	// (login's return_to takes 4 KiB).
	parMaxParams = 2048
)

// pushed is what a request_uri seals.
type pushed struct {
	ID      string `json:"i"`
	Params  string `json:"p"` // the request as a query string
	Expires int64  `json:"e"` // unix seconds
}

// parBinding ties a request_uri to its tenant and client.
func parBinding(t model.Tenant, clientID string) []byte {
	return secrets.AssociatedData("par", t.ID, strings.ToLower(clientID))
}

// parParamsIgnored are the client authentication parameters, which belong
// to the push, not to the request it pushes.
var parParamsIgnored = []string{"client_secret", "client_assertion", "client_assertion_type"}

func (p *Provider) mountPAR(mux *http.ServeMux) {
	p.mountClientPOST(mux, PathPAR, p.par)
}

// par checks a pushed request as /oauth/authorize would (RFC 9126 §2.1)
// and answers 201 with its request_uri. Errors are JSON: the client's
// server is the caller, so nothing is redirected.
func (p *Provider) par(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	req, err := p.clientRequest(r, true)
	if err != nil {
		return err
	}
	v, err := p.pushedParams(r.Context(), req)
	if err != nil {
		return err
	}
	if err := p.pushedDPoP(w, r, req, v); err != nil {
		return err
	}
	if err := p.checkPushed(req.tenant, req.client, v); err != nil {
		return err
	}
	uri, err := p.sealPushed(req.tenant, req.client, v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return json.NewEncoder(w).Encode(map[string]any{"request_uri": uri, "expires_in": int64(PARTTL / time.Second)})
}

// pushedParams are the authorization parameters of a push: the form, or
// the claims of its request object, without client authentication.
func (p *Provider) pushedParams(ctx context.Context, req tokenRequest) (url.Values, error) {
	v := url.Values{}
	for k, vs := range req.form {
		v[k] = vs
	}
	for _, k := range parParamsIgnored {
		v.Del(k)
	}
	if id := v.Get("client_id"); id != "" && !strings.EqualFold(id, req.client.ID) {
		return nil, oauth.InvalidRequest("client_id is not the client that authenticated.")
	}
	switch {
	case v.Has("request_uri"):
		return nil, oauth.InvalidRequest("request_uri cannot be pushed (RFC 9126 §2.1).")
	case v.Has(authResumeParam):
		return nil, oauth.InvalidRequest(authResumeParam + " is not a request parameter.")
	case v.Has("request"):
		obj, err := p.verifyRequestObject(ctx, req.tenant, req.client, v.Get("request"), p.Now())
		if err != nil {
			return nil, err
		}
		v = obj
	}
	v.Set("client_id", req.client.ID)
	return v, nil
}

// pushedDPoP reads a DPoP proof sent with the push (RFC 9449 §10.1): its
// key binds the code, as dpop_jkt would, and a dpop_jkt sent beside it
// must name the same key.
func (p *Provider) pushedDPoP(w http.ResponseWriter, r *http.Request, req tokenRequest, v url.Values) error {
	proof, ok, err := p.checkDPoP(w, r, req.tenant, dpopCheck{})
	switch {
	case err != nil || !ok:
		return err
	case v.Has("dpop_jkt") && v.Get("dpop_jkt") != proof.JKT:
		return oauth.InvalidRequest("dpop_jkt does not match the key of the DPoP proof sent with the push.")
	}
	v.Set("dpop_jkt", proof.JKT)
	return nil
}

// checkPushed applies every rule /oauth/authorize will apply before it
// looks for a session, so that a bad request fails here, to the client,
// rather than later in front of a member.
func (p *Provider) checkPushed(t model.Tenant, c model.Client, v url.Values) error {
	if len(v.Encode()) > parMaxParams {
		return oauth.InvalidRequest(fmt.Sprintf("The pushed request is too long (at most %d bytes of parameters).", parMaxParams))
	}
	uri, ok := oauth.MatchRedirectURI(c.RedirectURIs, v.Get("redirect_uri"))
	if !ok {
		return oauth.InvalidRequest("redirect_uri is missing or not registered for this client.")
	}
	if _, err := newAuthReply(v, uri, ""); err != nil {
		return err
	}
	_, err := parseAuthRequest(v, c, uri)
	return err
}

func (p *Provider) sealPushed(t model.Tenant, c model.Client, v url.Values) (string, error) {
	b, err := json.Marshal(pushed{ID: ids.NewToken(16), Params: v.Encode(), Expires: p.Now().Add(PARTTL).Unix()})
	if err != nil {
		return "", oauth.ServerError(fmt.Errorf("encode pushed request: %w", err))
	}
	sealed, err := p.Secrets.Encrypt(b, parBinding(t, c.ID))
	if err != nil {
		return "", oauth.ServerError(fmt.Errorf("seal pushed request: %w", err))
	}
	return requestURIBase + sealed, nil
}

// openPushed opens the request_uri of client c's authorization request,
// first seen at seen. Every failure is invalid_request_uri; which one goes
// to the log.
func (p *Provider) openPushed(t model.Tenant, c model.Client, raw string, seen time.Time) (pushed, url.Values, error) {
	sealed, ok := strings.CutPrefix(raw, requestURIBase)
	if !ok || len(sealed) > 4096 {
		return pushed{}, nil, oauth.InvalidRequestURI("request_uri was not issued by this server's pushed authorization endpoint.")
	}
	plain, err := p.Secrets.Decrypt(sealed, parBinding(t, c.ID))
	if err != nil {
		return pushed{}, nil, oauth.InvalidRequestURI("request_uri was not issued to this client by this server.").WithCause(err)
	}
	var pr pushed
	if err := json.Unmarshal(plain, &pr); err != nil || pr.ID == "" {
		return pushed{}, nil, oauth.InvalidRequestURI("request_uri is malformed.").WithCause(err)
	}
	if !seen.Before(time.Unix(pr.Expires, 0)) {
		return pushed{}, nil, oauth.InvalidRequestURI("request_uri has expired: push the request again.")
	}
	v, err := url.ParseQuery(pr.Params)
	if err != nil {
		return pushed{}, nil, oauth.InvalidRequestURI("request_uri is malformed.").WithCause(err)
	}
	return pr, v, nil
}

// spendPushed uses the pushed request's id for the authorization about to
// be granted: false when one was granted for it already.
func (p *Provider) spendPushed(ctx context.Context, t model.Tenant, pr pushed) (bool, error) {
	first, err := p.AuthResumes.Use(ctx, t.ID, "par:"+pr.ID, time.Unix(pr.Expires, 0).Add(authResumeTTL+authClockSkew))
	if err != nil {
		return false, oauth.ServerError(fmt.Errorf("use pushed request: %w", err))
	}
	return first, nil
}
