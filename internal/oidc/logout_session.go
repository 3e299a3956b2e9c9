package oidc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/tokens"
)

// end signs the member out of session s: the browser session, the grants
// that live and die with it, and, over the back channel, the clients'
// own sessions. The grants are read first, so that a store failure leaves
// everything as it was and the member can simply try again.
func (e *logoutEndpoint) end(w http.ResponseWriter, r *http.Request, t model.Tenant, s model.Session, m model.Member) error {
	ctx := r.Context()
	grants, err := e.Grants.ListBySession(ctx, t.ID, s.ID, e.Now())
	if err != nil {
		return httpx.Internal(fmt.Errorf("list the session's grants: %w", err))
	}
	if err := e.Sessions.End(w, r); err != nil {
		return httpx.Internal(err)
	}
	revoked := e.revokeOnline(ctx, t, grants)
	notified := e.notify(ctx, t, m.ID, s.ID, grants)
	e.auditLogout(ctx, t, m, s, revoked, notified)
	return nil
}

// revokeOnline revokes the session's grants except those holding
// offline_access, which by definition outlive the browser session
// (Back-Channel Logout 1.0 §2.7). A failure is logged and the rest go on:
// the member is already signed out and cannot usefully retry.
func (e *logoutEndpoint) revokeOnline(ctx context.Context, t model.Tenant, grants []model.Grant) int {
	n := 0
	for _, g := range grants {
		if hasScope(g, oauth.ScopeOfflineAccess) {
			continue
		}
		if err := e.Grants.Revoke(ctx, t.ID, g.ID, e.Now()); err != nil {
			e.logoutFailure(ctx, "revoke grant at logout", err, slog.String("client_id", g.ClientID))
			continue
		}
		n++
	}
	return n
}

// notify starts a back-channel logout for every distinct client of the
// session that registered a back-channel URI, including clients whose
// offline grant survives: their session with the member still ends. It
// returns the ids of the clients it started on, without waiting for them.
func (e *logoutEndpoint) notify(ctx context.Context, t model.Tenant, memberID, sid string, grants []model.Grant) []string {
	var notified []string
	seen := map[string]bool{}
	for _, g := range grants {
		if seen[g.ClientID] {
			continue
		}
		seen[g.ClientID] = true
		c, err := e.Clients.Lookup(ctx, t.ID, g.ClientID)
		if err != nil {
			e.logoutFailure(ctx, "find client for back-channel logout", err, slog.String("client_id", g.ClientID))
			continue
		}
		if c.BackchannelLogoutURI == "" {
			continue
		}
		notified = append(notified, c.ID)
		e.bc.start(ctx, func(ctx context.Context) { e.sendLogoutToken(ctx, t, c, memberID, sid) })
	}
	return notified
}

// sendLogoutToken mints the client's logout token and delivers it. It runs
// in the background, so it reports to the log; never with the token.
func (e *logoutEndpoint) sendLogoutToken(ctx context.Context, t model.Tenant, c model.Client, memberID, sid string) {
	tok, err := e.logoutToken(ctx, t, c, memberID, sid)
	if err != nil {
		e.logoutFailure(ctx, "mint logout token", err, slog.String("client_id", c.ID))
		return
	}
	attempts, err := e.bc.deliver(ctx, c.BackchannelLogoutURI, tok)
	if err != nil {
		e.logoutFailure(ctx, "back-channel logout", err, slog.String("client_id", c.ID), slog.Int("attempts", attempts))
		return
	}
	e.Logger.LogAttrs(ctx, slog.LevelDebug, "back-channel logout delivered",
		slog.String("client_id", c.ID), slog.Int("attempts", attempts))
}

// logoutToken is signed like the client's ID tokens (HS256 ones with its
// secret), so the client verifies both the same way.
func (e *logoutEndpoint) logoutToken(ctx context.Context, t model.Tenant, c model.Client, memberID, sid string) (string, error) {
	var secret []byte
	if c.IDTokenAlg == model.AlgHS256 {
		var err error
		if secret, err = e.Clients.SigningSecret(ctx, c); err != nil {
			return "", err
		}
	}
	return e.Tokens.LogoutToken(ctx, tokens.LogoutParams{
		Tenant: t, Client: c, ClientSecret: secret, MemberID: memberID, SessionID: sid,
	})
}

// auditLogout records the logout. The request id ties it to the access log
// line, which holds the client address.
func (e *logoutEndpoint) auditLogout(ctx context.Context, t model.Tenant, m model.Member, s model.Session, revoked int, notified []string) {
	actor := "member:" + m.ID
	auditlog.BestEffort(ctx, e.Audit, e.Logger, model.AuditEvent{
		TenantID: t.ID, At: e.Now().UTC(), Actor: actor, Action: "logout", Target: actor,
		Detail: map[string]string{
			"session": s.ID, "grants_revoked": strconv.Itoa(revoked),
			"clients_notified": strings.Join(notified, ","), "request_id": httpx.RequestIDFrom(ctx),
		},
	})
}

func (e *logoutEndpoint) logoutFailure(ctx context.Context, what string, err error, attrs ...slog.Attr) {
	attrs = append(attrs, slog.String("request_id", httpx.RequestIDFrom(ctx)), slog.String("cause", err.Error()))
	e.Logger.LogAttrs(ctx, slog.LevelError, what+" failed", attrs...)
}
