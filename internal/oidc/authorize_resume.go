package oidc

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/returnto"
	"github.com/guildgate/guildgate/internal/secrets"
)

// authLoginPath is the sign-in page (internal/login). It accepts
// return_to (a local path), login_hint (pre-fills the email) and
// prompt=login (show the form even to a signed-in member).
const authLoginPath = "/login"

// authResumeParam marks a request sent through /login and back. Its value
// is sealed with the master key (secrets.Keyring: authenticated
// encryption, so it serves as a MAC), bound to the tenant and to this very
// request, and names the session found wanting and the moment the sign-in
// was asked for. Nobody without the key can make one, one made for another
// request does not open, it expires, and it is honoured once (AuthResumes):
// nothing else in a request can vouch that a session is fresh.
const authResumeParam = "gg_resume"

// authResumeMaxLen bounds what is handed to the decrypter; a marker made
// here is under 250 characters.
const authResumeMaxLen = 512

// authResumeTTL bounds the sign-in a marker waits for. A member slower than
// this is asked to sign in once more; nothing is lost.
const authResumeTTL = 15 * time.Minute

// authClockSkew is how far replicas' clocks may disagree when comparing a
// session's auth_time with the moment a sign-in was asked for.
const authClockSkew = 5 * time.Second

// authResume is an opened marker: when the request sent the browser to
// sign in, and the session then found wanting ("" for none). ID names the
// marker for single use. The zero value is no marker.
type authResume struct {
	At        time.Time
	SessionID string
	ID        string
}

// freshFor reports whether s is the result of the sign-in the marker asked
// for: another session than the one found wanting, authenticated after the
// request was first seen. Both matter: the session id cannot be fooled by
// clocks, and the time keeps a session that existed all along but whose
// cookie did not ride along (a cross-site POST) from counting as new.
func (r authResume) freshFor(s model.Session) bool {
	return !r.At.IsZero() && s.ID != r.SessionID && !s.AuthTime.Before(r.At.Add(-authClockSkew))
}

// plaintext is what the marker seals: "<unix µs>.<random id>.<session id>".
func (r authResume) plaintext() []byte {
	return []byte(strconv.FormatInt(r.At.UnixMicro(), 10) + "." + r.ID + "." + r.SessionID)
}

func parseResumePlaintext(b []byte) (authResume, bool) {
	at, rest, ok1 := strings.Cut(string(b), ".")
	id, sessionID, ok2 := strings.Cut(rest, ".")
	us, err := strconv.ParseInt(at, 10, 64)
	if !ok1 || !ok2 || err != nil || us <= 0 || id == "" {
		return authResume{}, false
	}
	return authResume{At: time.UnixMicro(us).UTC(), SessionID: sessionID, ID: id}, true
}

// checkAuthResume refuses a marker no server can have made, before any
// decryption is attempted.
func checkAuthResume(s string) error {
	if len(s) > authResumeMaxLen || strings.Trim(s, base64URLChars+".") != "" {
		return oauth.InvalidRequest(authResumeParam + " is malformed.")
	}
	return nil
}

const base64URLChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// resumeBinding is the associated data that ties a marker to its tenant and
// to the request as sent, its marker aside: a marker answers for the
// request that asked for the sign-in and no other.
func resumeBinding(t model.Tenant, params url.Values) []byte {
	v := make(url.Values, len(params))
	for k, vs := range params {
		if k != authResumeParam {
			v[k] = vs
		}
	}
	return secrets.AssociatedData("authorize-resume", t.ID, ids.Hash(v.Encode()))
}

// openResume opens the request's marker. One that does not open was not
// made here for this request (forged, edited or moved): invalid_request.
// An expired one is no marker; the request is then judged as if it had
// never been to /login, which at worst asks for one more sign-in.
func (p *Provider) openResume(t model.Tenant, params url.Values, now time.Time) (authResume, error) {
	raw := params.Get(authResumeParam)
	if raw == "" {
		return authResume{}, nil
	}
	if err := checkAuthResume(raw); err != nil {
		return authResume{}, err
	}
	plain, err := p.Secrets.Decrypt(raw, resumeBinding(t, params))
	if err != nil {
		return authResume{}, oauth.InvalidRequest(authResumeParam + " was not issued for this request.").WithCause(err)
	}
	r, ok := parseResumePlaintext(plain)
	if !ok {
		return authResume{}, oauth.InvalidRequest(authResumeParam + " is malformed.")
	}
	if now.Sub(r.At) >= authResumeTTL || r.At.After(now.Add(authClockSkew)) {
		return authResume{}, nil
	}
	return r, nil
}

// useResume spends the marker on the session it is about to vouch for:
// false when an earlier request spent it already (a replayed URL), which
// then counts as no marker.
func (p *Provider) useResume(ctx context.Context, t model.Tenant, r authResume) (bool, error) {
	first, err := p.AuthResumes.Use(ctx, t.ID, r.ID, r.At.Add(authResumeTTL+authClockSkew))
	if err != nil {
		return false, oauth.ServerError(fmt.Errorf("use resume marker: %w", err))
	}
	return first, nil
}

// authToLogin sends the browser to /login and back to this request (as a
// GET, whatever its method) with a new marker naming sessionID, the
// session found wanting ("" for none). force shows the form to a member
// who is already signed in. Nothing is stored: the marker carries its
// state, sealed, so an anonymous request costs the server no row.
func (p *Provider) authToLogin(t model.Tenant, req *authRequest, sessionID string, force bool, loginHint string) (authNext, error) {
	returnTo, err := p.resumeURL(t, req, sessionID)
	if err != nil {
		return authNext{}, err
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

// resumeURL is this request again with a new marker naming sessionID, the
// session found wanting ("" for none), for a page that sends the browser
// back when it is done.
func (p *Provider) resumeURL(t model.Tenant, req *authRequest, sessionID string) (string, error) {
	mark := authResume{At: p.Now().UTC(), SessionID: sessionID, ID: ids.NewToken(16)}
	sealed, err := p.Secrets.Encrypt(mark.plaintext(), resumeBinding(t, req.params))
	if err != nil {
		return "", oauth.ServerError(fmt.Errorf("seal resume marker: %w", err))
	}
	resume := make(url.Values, len(req.params)+1)
	for k, vs := range req.params {
		resume[k] = vs
	}
	resume.Set(authResumeParam, sealed)
	returnTo := PathAuthorize + "?" + resume.Encode()
	if returnto.Safe(returnTo) != returnTo {
		return "", oauth.InvalidRequest("The authorization request is too long to resume after sign-in.")
	}
	return returnTo, nil
}
