package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/store"
)

// Scope values the token endpoint itself acts on.
// errNotLive marks why a grant, member or token may no longer be used. The
// token endpoint answers it with invalid_grant, userinfo with invalid_token
// and introspection with active:false; any other error is a server fault.
var errNotLive = errors.New("no longer valid")

func notLive(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errNotLive}, args...)...)
}

// grantRevoked is what a client learns when its grant is gone.
const grantRevoked = "The authorization grant has been revoked or is no longer valid."

// holder is a grant's member with their groups, read once per request: the
// permitted-groups check and the groups claim use the same list.
type holder struct {
	member model.Member
	groups []model.Group
}

// liveGrantError maps grantInForce's and memberAllowed's errors to the
// token endpoint's answers.
func liveGrantError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNotLive):
		return oauth.InvalidGrant(grantRevoked).WithCause(err)
	default:
		return oauth.ServerError(err)
	}
}

// grantInForce loads the grant a code or token points at and checks that it,
// and its member's right to use the client, still hold. A grant that is not
// found was deleted with its client or member: that is a revocation too
// (store.Grants). Errors wrap errNotLive unless the store failed. It reads
// through rs only, so that inside a transaction it needs no second
// connection.
//
// The grant, its member and (when the client alone already needs them) the
// member's groups come in one read, store.Grants.Access: on PostgreSQL each
// statement is a round trip, and code exchanges and refreshes pay this on
// every call. Groups that only the grant's scopes turn out to need (the
// groups scope on a client open to all) are read after it.
func (p *Provider) grantInForce(ctx context.Context, rs grantRepos, t model.Tenant, c model.Client, grantID string) (model.Grant, holder, error) {
	clientNeedsGroups := needsGroups(c, nil)
	a, err := rs.Grants().Access(ctx, t.ID, grantID, "", clientNeedsGroups)
	return p.accessInForce(ctx, rs, t, c, grantID, store.RedeemAccess{Grant: a.Grant, Member: a.Member, Groups: a.Groups},
		err, clientNeedsGroups)
}

// redeemed is accessInForce's input from what ConsumeAccess or UseAccess
// read of the grant: nil (grant or member not found) is ErrNotFound, as
// Access answers it.
func redeemed(a *store.RedeemAccess) (store.RedeemAccess, error) {
	if a == nil {
		return store.RedeemAccess{}, model.ErrNotFound
	}
	return *a, nil
}

// accessInForce is grantInForce's rule on what Access (or, for a code
// exchange or a refresh, ConsumeAccess or UseAccess) read: a, or err from
// reading it, with the member's groups when clientNeedsGroups
// (needsGroups(c, nil)). It, admit and the claims read of the member only
// what store.RedeemAccess holds.
func (p *Provider) accessInForce(ctx context.Context, rs grantRepos, t model.Tenant, c model.Client, grantID string,
	a store.RedeemAccess, err error, clientNeedsGroups bool) (model.Grant, holder, error) {
	g := a.Grant
	switch {
	case errors.Is(err, model.ErrNotFound):
		return g, holder{}, notLive("grant %s or its member not found", grantID)
	case err != nil:
		return g, holder{}, fmt.Errorf("get grant: %w", err)
	case !g.RevokedAt.IsZero():
		return g, holder{}, notLive("grant %s revoked", grantID)
	case !strings.EqualFold(g.ClientID, c.ID):
		return g, holder{}, notLive("grant %s belongs to client %s", grantID, g.ClientID)
	case clientNeedsGroups || a.Member.Disabled || !needsGroups(c, g.Scopes):
		h, err := admit(c, a.Member, a.Groups, clientNeedsGroups)
		return g, h, err
	}
	groups, err := rs.Groups().ListForMember(ctx, t.ID, a.Member.ID)
	if err != nil {
		return g, holder{}, fmt.Errorf("groups of member %s: %w", a.Member.ID, err)
	}
	h, err := admit(c, a.Member, groups, true)
	return g, h, err
}

// memberAllowed re-checks, at every use of a grant, what authorization
// checked once: the member still exists, is not disabled and is still in
// one of the client's permitted groups (PRODUCT.md). The member's groups
// are read only when that check or the groups claim of scopes (the
// grant's, which any token's narrowed scopes are within) needs them.
func (p *Provider) memberAllowed(ctx context.Context, rs grantRepos, t model.Tenant, c model.Client, memberID string, scopes []string) (holder, error) {
	m, err := rs.Members().Get(ctx, t.ID, memberID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return holder{}, notLive("member %s deleted", memberID)
	case err != nil:
		return holder{}, fmt.Errorf("get member: %w", err)
	case m.Disabled || !needsGroups(c, scopes):
		return admit(c, m, nil, false)
	}
	groups, err := rs.Groups().ListForMember(ctx, t.ID, m.ID)
	if err != nil {
		return holder{}, fmt.Errorf("groups of member %s: %w", m.ID, err)
	}
	return admit(c, m, groups, true)
}

// admit is memberAllowed's rule on what it read: a member not disabled and,
// when their groups were read (withGroups, as needsGroups asks), in one of
// the client's permitted groups.
func admit(c model.Client, m model.Member, groups []model.Group, withGroups bool) (holder, error) {
	switch {
	case m.Disabled:
		return holder{}, notLive("member %s disabled", m.ID)
	case withGroups && !clients.PermitsGroups(c, groups):
		return holder{}, notLive("member %s not in the client's permitted groups", m.ID)
	case !withGroups:
		return holder{member: m}, nil
	}
	return holder{member: m, groups: groups}, nil
}

// needsGroups says whether a member's groups must be read: for a client
// open to some groups only, or for the groups claim (tokens.Claims).
func needsGroups(c model.Client, scopes []string) bool {
	return !c.OpenToAllMembers() || c.GroupsClaim || slices.Contains(scopes, oauth.ScopeGroups)
}

// mintTokens signs what a member's grant yields: an access token for g's
// scopes (callers narrow g.Scopes for a narrowed refresh) and an ID token
// when those include openid. It reads nothing from the store, so it runs
// after the transaction that decided the request has committed, and the
// signature (an RSA one takes a millisecond) holds no database lock.
//
// jkt, the key of the request's DPoP proof, binds the access token.
func (p *Provider) mintTokens(ctx context.Context, t model.Tenant, c model.Client, g model.Grant, h holder, nonce, jkt string) (issued, error) {
	at, expiresIn, err := p.issueAccessToken(ctx, t, g, jkt)
	if err != nil {
		return issued{}, oauth.ServerError(err)
	}
	is := issued{AccessToken: at, ExpiresIn: expiresIn, Scope: strings.Join(g.Scopes, " "), Bound: jkt != ""}
	if hasScope(g, oauth.ScopeOpenID) {
		is.IDToken, err = p.issueIDToken(ctx, t, c, h, g, idTokenRequest{Nonce: nonce, AccessToken: at})
		if err != nil {
			return issued{}, oauth.ServerError(err)
		}
	}
	return is, nil
}

// refreshKey is the DPoP key a new refresh token is bound to: a public
// client's, which has no secret to protect it otherwise (RFC 9449 §5). A
// confidential client's refresh token stays unbound: its client
// authentication already protects it.
func refreshKey(c model.Client, jkt string) string {
	if c.Public {
		return jkt
	}
	return ""
}

// wantsRefresh says whether a code exchange yields a refresh token: only for
// offline_access (OpenID Connect Core §11) and only for a client allowed the
// refresh_token grant. It returns the scopes the refresh token carries.
func wantsRefresh(c model.Client, g model.Grant) []string {
	if hasScope(g, oauth.ScopeOfflineAccess) && c.AllowsGrant(model.GrantRefreshToken) {
		return g.Scopes
	}
	return nil
}

// issueRefresh stores a new refresh token of g's family, by its key only
// (stampedHash: a time stamp and the hash of the value). It never outlives
// its grant: the sweeper deletes a grant at its ExpiresAt with every token
// under it, so the family has an absolute lifetime. An empty result means
// the grant has no time left to give.
//
// A refresh token bound to a DPoP key ends in "." and the key's thumbprint:
// the hash covers the suffix, so it cannot be changed without the token
// failing to match, and binding needs no column of its own.
func (p *Provider) issueRefresh(ctx context.Context, rs store.Repositories, g model.Grant, scopes []string, jkt string) (string, error) {
	now := p.Now()
	exp := now.Add(RefreshTTL)
	if !g.ExpiresAt.IsZero() && g.ExpiresAt.Before(exp) {
		exp = g.ExpiresAt
	}
	if !exp.After(now) {
		return "", nil
	}
	value := newStamped(stampRefresh, now)
	if jkt != "" {
		value += "." + jkt
	}
	err := rs.RefreshTokens().Create(ctx, model.RefreshToken{
		Hash: stampedHash(value), TenantID: g.TenantID, GrantID: g.ID, ClientID: g.ClientID, MemberID: g.MemberID,
		Scopes: scopes, AuthTime: g.AuthTime, CreatedAt: now, ExpiresAt: exp,
	})
	if err != nil {
		return "", fmt.Errorf("store refresh token: %w", err)
	}
	return value, nil
}

// auditToken records one issuance, through rs (the transaction that
// issues): who, for whom, by which grant type. Never a token, code or
// secret.
func (p *Provider) auditToken(ctx context.Context, rs grantRepos, req tokenRequest, grantType, memberID, grantID string) error {
	actor := "client:" + req.client.ID
	target := actor
	if memberID != "" {
		target = "member:" + memberID
	}
	detail := map[string]string{"client_id": req.client.ID, "grant_type": grantType}
	if grantID != "" {
		detail["grant_id"] = grantID
	}
	return auditlog.Record(ctx, rs.Audit(), p.event(req.tenant, actor, "oauth.token", target, detail))
}

// event is an audit event of the provider, now.
func (p *Provider) event(t model.Tenant, actor, action, target string, detail map[string]string) model.AuditEvent {
	return model.AuditEvent{TenantID: t.ID, At: p.Now().UTC(), Actor: actor, Action: action, Target: target, Detail: detail}
}

// audit appends an event on its own. A failing audit log is logged, not
// fatal: what it records has happened, and an audit outage must not take
// sign-in down.
func (p *Provider) audit(r *http.Request, t model.Tenant, actor, action, target string, detail map[string]string) {
	auditlog.BestEffort(r.Context(), p.Audit, p.Logger, p.event(t, actor, action, target, detail))
}

// auditGrantRevoked records, through rs, a grant revoked by the token or
// revocation endpoint, with why.
func (p *Provider) auditGrantRevoked(ctx context.Context, rs store.Repositories, t model.Tenant, clientID, grantID, reason string) error {
	return auditlog.Record(ctx, rs.Audit(), p.event(t, "client:"+clientID, "oauth.grant_revoke", "grant:"+grantID,
		map[string]string{"client_id": clientID, "reason": reason}))
}
