package federation

import (
	"errors"
	"fmt"
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/upstream"
)

// callback completes a round trip. The state is consumed first, so a
// replayed callback, even a valid one, finds nothing to redeem; nothing is
// created or linked unless every check passes.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if err := oauth.SingleValues(q, "state", "code", "error"); err != nil {
		return startOver("repeated_parameter", err)
	}
	ctx := r.Context()
	state := q.Get("state")
	if state == "" {
		return startOver("no_state", nil)
	}
	st, first, err := h.States.Consume(ctx, t.ID, ids.Hash(state), h.now())
	switch {
	case errors.Is(err, model.ErrNotFound):
		return startOver("unknown_state", nil)
	case err != nil:
		return err
	case !first:
		return startOver("replayed_state", nil)
	case st.Purpose != model.StateLogin && st.Purpose != model.StateTest, !h.now().Before(st.ExpiresAt):
		return startOver("expired_state", nil)
	}
	clearBrowserCookie(w, state)
	if ck, err := r.Cookie(cookieName(state)); err != nil || ids.Hash(ck.Value) != st.BrowserHash {
		return startOver("other_browser", errors.New("round trip began in another browser"))
	}
	retry := StartURL(st.ConnectionID, st.ReturnTo, "")
	if st.Purpose == model.StateTest {
		retry = st.ReturnTo // the console's test page
	}
	if e := q.Get("error"); e != "" {
		return h.fail(r, t, st, upstreamFailure(upstreamError(e), retry))
	}
	c, err := h.ConnectionRecords.Get(ctx, t.ID, st.ConnectionID)
	if err != nil {
		return err // the connection went while the member was away: a 500 is fair
	}
	claims, err := h.exchange(r, c, q.Get("code"), st)
	if err != nil {
		return h.fail(r, t, st, upstreamFailure(err, retry))
	}
	if st.Purpose == model.StateTest {
		return h.showTest(w, r, c, claims)
	}
	m, f, err := h.member(ctx, t, c, claims)
	if err != nil {
		return err
	}
	if f != nil {
		f.retryURL = retry
		return h.fail(r, t, st, f)
	}
	return h.signIn(w, r, t, c, m, claims, st.ReturnTo)
}

func (h *Handler) exchange(r *http.Request, c model.Connection, code string, st model.UpstreamState) (upstream.Claims, error) {
	if code == "" {
		return upstream.Claims{}, upstream.Errorf(upstream.Invalid, "callback has neither code nor error")
	}
	k, err := h.connector(r.Context(), c)
	if err != nil {
		return upstream.Claims{}, err
	}
	t, _ := tenancy.FromRequest(r)
	return k.Exchange(r.Context(), code, upstream.AuthRequest{RedirectURI: connections.CallbackURL(t.Issuer),
		Nonce: st.Nonce, CodeVerifier: st.CodeVerifier})
}

// upstreamError classifies the provider's error parameter. Its text is
// logged, bounded, and never shown: it is whatever the URL says.
func upstreamError(code string) error {
	if len(code) > 64 {
		code = code[:64]
	}
	switch code {
	case "access_denied", "consent_required", "interaction_required", "login_required", "account_selection_required":
		return upstream.Errorf(upstream.Denied, "provider answered %q", code)
	case "temporarily_unavailable", "server_error":
		return upstream.Errorf(upstream.Unavailable, "provider answered %q", code)
	case "unauthorized_client", "invalid_client", "invalid_scope", "unsupported_response_type":
		return upstream.Errorf(upstream.Misconfigured, "provider answered %q", code)
	}
	return upstream.Errorf(upstream.Invalid, "provider answered %q", code)
}

// fail audits a failed sign-in and returns its page.
func (h *Handler) fail(r *http.Request, t model.Tenant, st model.UpstreamState, f *failure) error {
	action := "login.failure"
	if st.Purpose == model.StateTest {
		action = "connection.test.failure"
	}
	h.audit(r.Context(), t, "anonymous", action, "connection:"+st.ConnectionID,
		map[string]string{"method": "fed", "reason": f.reason, "ip": httpx.ClientIP(r, h.TrustedProxies)})
	return f
}

// signIn starts the Guildgate session, remembers the upstream ID token for
// logout, and sends the member on to where they were going.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, t model.Tenant, c model.Connection, m model.Member, claims upstream.Claims, returnTo string) error {
	ctx := r.Context()
	s, err := h.Sessions.Start(w, r, t, m, []string{"fed"})
	if err != nil {
		return httpx.Internal(err)
	}
	if err := h.rememberUpstream(r, t, c, s, claims.IDToken); err != nil {
		h.warn(ctx, "remember upstream session", err) // only upstream logout is lost
	}
	actor := "member:" + m.ID
	h.audit(ctx, t, actor, "login.success", actor, map[string]string{"method": "fed",
		"connection": c.ID, "ip": httpx.ClientIP(r, h.TrustedProxies)})
	httpx.SeeOther(w, returnTo)
	return nil
}

func (h *Handler) rememberUpstream(r *http.Request, t model.Tenant, c model.Connection, s model.Session, idToken string) error {
	if idToken == "" {
		return nil
	}
	sealed, err := h.Secrets.Encrypt([]byte(idToken), idTokenAD(t.ID, s.ID))
	if err != nil {
		return fmt.Errorf("seal upstream id token: %w", err)
	}
	return h.UpstreamSessions.Create(r.Context(), model.UpstreamSession{TenantID: t.ID, SessionID: s.ID,
		ConnectionID: c.ID, IDToken: sealed, CreatedAt: h.now()})
}

func idTokenAD(tenantID, sessionID string) []byte {
	return secrets.AssociatedData(tenantID, sessionID, "upstream_id_token")
}
