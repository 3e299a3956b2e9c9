package oidc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/session"
)

// authNext is what authenticate decided: answer with the session's member,
// or send the browser to the sign-in page first.
type authNext struct {
	session model.Session
	member  model.Member
	login   string // the /login URL, when the member must sign in first
}

// done sends the browser to sign in, when that was the decision.
func (n authNext) done(w http.ResponseWriter) bool {
	if n.login == "" {
		return false
	}
	httpx.SeeOther(w, n.login)
	return true
}

// reauthReason says why a signed-in member must sign in again.
type reauthReason int

const (
	reauthNone        reauthReason = iota
	reauthPrompt                   // prompt=login or select_account
	reauthMaxAge                   // the session authenticated longer ago than max_age
	reauthOtherMember              // id_token_hint names someone else
)

// authenticate applies OIDC Core §3.1.2.3: who is signed in, and whether
// that sign-in is good enough for this request. With prompt=none nothing
// may be shown, so any need to sign in becomes login_required.
func (p *Provider) authenticate(r *http.Request, t model.Tenant, req *authRequest) (authNext, error) {
	now := p.Now()
	hintSub, err := p.authHintSubject(r.Context(), t, req.Client, req.IDTokenHint)
	if err != nil {
		return authNext{}, err
	}
	s, m, err := p.Sessions.Current(r)
	switch {
	case errors.Is(err, session.ErrNoSession) && req.Prompt.None:
		return authNext{}, oauth.LoginRequired("No member is signed in.")
	case errors.Is(err, session.ErrNoSession):
		return p.authToLogin(t, req, "", false, req.LoginHint)
	case err != nil:
		return authNext{}, oauth.ServerError(fmt.Errorf("current session: %w", err))
	}
	if err := p.spendResume(r.Context(), t, req, s); err != nil {
		return authNext{}, err
	}
	why := req.reauth(s, m, hintSub, now)
	switch {
	case why == reauthNone:
		return authNext{session: s, member: m}, nil
	case why == reauthOtherMember && (req.Prompt.None || req.Resume.freshFor(s)):
		return authNext{}, oauth.LoginRequired("The signed-in member is not the one id_token_hint names.")
	case req.Prompt.None:
		return authNext{}, oauth.LoginRequired("The member must sign in again, which prompt=none does not allow.")
	}
	hint := req.LoginHint
	if hint == "" && why != reauthOtherMember && !req.Prompt.SelectAccount {
		hint = m.Email // the same member proving it again: spare them typing the address
	}
	return p.authToLogin(t, req, s.ID, true, hint)
}

// spendResume uses the request's marker when it would vouch for session
// s, so that it vouches once: a replay of the resumed URL is judged as if
// it had no marker.
func (p *Provider) spendResume(ctx context.Context, t model.Tenant, req *authRequest, s model.Session) error {
	if !req.Resume.freshFor(s) {
		return nil
	}
	first, err := p.useResume(ctx, t, req.Resume)
	if err != nil {
		return err
	}
	if !first {
		req.Resume = authResume{}
	}
	return nil
}

// reauth decides whether session s may answer req. A session that signed
// in after this request first sent the member to /login (Resume.freshFor)
// satisfies prompt=login and any max_age: that sign-in is as recent as
// the request allows, and asking again would loop. An older session is
// judged as if the marker were absent: prompt and max_age stay in the
// resumed request, so a detour that skips the form (say, "change email"
// on the password page, which drops prompt=login) still cannot skip the
// re-authentication, and a member whose cookie did not ride along on the
// first request (a cross-site POST) is not asked twice.
func (req *authRequest) reauth(s model.Session, m model.Member, hintSub string, now time.Time) reauthReason {
	fresh := req.Resume.freshFor(s)
	switch {
	case hintSub != "" && hintSub != m.ID:
		return reauthOtherMember
	case fresh:
		return reauthNone
	case req.Prompt.Login, req.Prompt.SelectAccount:
		return reauthPrompt
	case req.MaxAge >= 0 && now.Sub(s.AuthTime) > maxAgeDuration(req.MaxAge):
		return reauthMaxAge
	}
	return reauthNone
}

// maxAgeDuration converts max_age without overflow. The comparison is not
// rounded to seconds, so max_age=0 always asks for a sign-in, as OIDC Core
// §3.1.2.1 says it should (like prompt=login).
func maxAgeDuration(seconds int64) time.Duration {
	if seconds > int64(math.MaxInt64/time.Second) {
		return math.MaxInt64
	}
	return time.Duration(seconds) * time.Second
}

// authHintSubject verifies an id_token_hint (OIDC Core §3.1.2.1): an ID
// token this tenant issued to the requesting client, about "the End-User's
// current or past authenticated session with the Client". It returns whom
// it names. Expired hints are accepted: a hint only says who the client
// expects, and RPs often keep the ID token past its expiry.
func (p *Provider) authHintSubject(ctx context.Context, t model.Tenant, c model.Client, raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	claims, storeErr, err := p.verifyIDTokenHint(ctx, t, raw)
	switch {
	case storeErr != nil:
		return "", oauth.ServerError(fmt.Errorf("verify id_token_hint: %w", storeErr))
	case err != nil:
		return "", oauth.InvalidRequest("id_token_hint is not a valid ID token from this issuer.").WithCause(err)
	case !strings.EqualFold(claims.ClientID, c.ID):
		return "", oauth.InvalidRequest("id_token_hint was issued to another client.")
	}
	return claims.Subject, nil
}
