package oidc

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tokens"
)

// grantAccess records the authorization of a signed-in member and sends
// the client what its response type asks for.
func (p *Provider) grantAccess(w http.ResponseWriter, r *http.Request, t model.Tenant, req *authRequest, who authNext, to authReply) error {
	ctx := r.Context()
	groups, err := p.authorizeGroups(ctx, t, req, who.member)
	if err != nil {
		return err
	}
	if req.Pushed.ID != "" {
		first, err := p.spendPushed(ctx, t, req.Pushed)
		if err != nil {
			return err
		}
		if !first {
			return oauth.InvalidRequestURI("This pushed request was answered already: push the request again.")
		}
	}
	g := p.newGrant(t, req, who.session)
	// The grant, its code and the audit row commit together.
	var code string
	err = p.Atomic(ctx, func(tx store.Tx) error {
		if err := tx.Grants().Create(ctx, g); err != nil {
			return fmt.Errorf("create grant: %w", err)
		}
		if req.ResponseType.ReturnsCode() {
			if code, err = p.newAuthCode(ctx, tx, req, g); err != nil {
				return err
			}
		}
		return p.auditAuthorize(ctx, tx, t, req, who.member, g)
	})
	if err != nil {
		return oauth.ServerError(err)
	}
	params, err := p.authResponse(ctx, t, req, holder{member: who.member, groups: groups}, g, code)
	if err != nil {
		return oauth.ServerError(err)
	}
	if to.State != "" {
		params.Set("state", to.State) // unchanged, as sent
	}
	if to.Iss != "" {
		params.Set("iss", to.Iss)
	}
	return to.send(w, params)
}

// authorizeGroups checks that the member may use the client and returns
// their groups for an ID token in the response. The groups are read only
// when one of the two needs them: a client open to all members asking for
// a code alone (the usual code flow) is answered without that read.
func (p *Provider) authorizeGroups(ctx context.Context, t model.Tenant, req *authRequest, m model.Member) ([]model.Group, error) {
	if req.Client.OpenToAllMembers() && !req.ResponseType.ReturnsIDToken() {
		return nil, nil
	}
	groups, err := p.Groups.ListForMember(ctx, t.ID, m.ID)
	if err != nil {
		return nil, oauth.ServerError(fmt.Errorf("permitted groups: %w", err))
	}
	if !clients.PermitsGroups(req.Client, groups) {
		return nil, oauth.AccessDenied("The member is not in any of the groups permitted to use this application.")
	}
	return groups, nil
}

// newGrant is the authorization this request creates. offline_access is
// kept only when a refresh token can follow (a code is returned and the
// client may refresh), as OIDC Core §11 requires; the grant lives as long
// as the longest-lived thing it can issue. Its id is time-ordered
// (grantID).
func (p *Provider) newGrant(t model.Tenant, req *authRequest, s model.Session) model.Grant {
	now := p.Now().UTC()
	scopes := slices.Clone([]string(req.Scopes))
	refresh := req.ResponseType.ReturnsCode() && req.Client.AllowsGrant(model.GrantRefreshToken)
	if !refresh {
		scopes = slices.DeleteFunc(scopes, func(s string) bool { return s == oauth.ScopeOfflineAccess })
	}
	life := CodeTTL + p.accessTokenTTL()
	if refresh && slices.Contains(scopes, oauth.ScopeOfflineAccess) {
		life = CodeTTL + RefreshTTL
	}
	return model.Grant{
		ID: grantID(now), TenantID: t.ID, ClientID: req.Client.ID, MemberID: s.MemberID, SessionID: s.ID,
		Scopes: scopes, AuthTime: s.AuthTime, AMR: slices.Clone(s.AMR), CreatedAt: now, ExpiresAt: now.Add(life),
	}
}

// grantID is a new grant's id: a version 7 UUID, ordered by creation
// time, because a grant's id is a key in the indexes its rows are written
// to (grants, auth_codes by grant, refresh_tokens by grant). Random ids put
// each row at a random page of each index, and a code exchange's commit
// wrote one page of refresh_tokens_grant per exchange; ordered ones put the
// rows of one commit on the same few pages. The id is no secret: access
// tokens carry it (gid), beside iat and auth_time, which already tell when
// the member authorized.
func grantID(now time.Time) string { return ids.NewTimeUUID(now) }

func (p *Provider) accessTokenTTL() time.Duration {
	if p.Tokens.AccessTokenTTL > 0 {
		return p.Tokens.AccessTokenTTL
	}
	return tokens.DefaultAccessTokenTTL
}

// authResponse mints what the response type names (OIDC Core §3.3.2.5,
// Multiple Response Type Encoding Practices §5), with the code already
// stored when it names one. The ID token comes last so that it can carry
// c_hash and at_hash of the others.
func (p *Provider) authResponse(ctx context.Context, t model.Tenant, req *authRequest, h holder, g model.Grant, code string) (url.Values, error) {
	params := url.Values{}
	var access string
	if code != "" {
		params.Set("code", code)
	}
	if req.ResponseType.ReturnsAccessToken() {
		tok, expiresIn, err := p.issueAccessToken(ctx, t, g, "")
		if err != nil {
			return nil, err
		}
		access = tok
		params.Set("access_token", tok)
		params.Set("token_type", "Bearer")
		params.Set("expires_in", strconv.FormatInt(expiresIn, 10))
		params.Set("scope", oauth.Scopes(g.Scopes).String()) // may differ from the request (offline_access)
	}
	if req.ResponseType.ReturnsIDToken() {
		idt, err := p.issueIDToken(ctx, t, req.Client, h, g, idTokenRequest{Nonce: req.Nonce, AccessToken: access, Code: code})
		if err != nil {
			return nil, err
		}
		params.Set("id_token", idt)
	}
	return params, nil
}

// newAuthCode stores a code by its key (stampedHash), bound to everything the token
// endpoint must check: client, redirect URI, PKCE challenge, nonce and
// the grant it redeems into.
//
// A code bound to a DPoP key (dpop_jkt) ends in "." and the key's
// thumbprint, as bound refresh tokens do: the hash covers the suffix, so
// it cannot be changed without the code failing to match.
func (p *Provider) newAuthCode(ctx context.Context, tx store.Tx, req *authRequest, g model.Grant) (string, error) {
	code := newStamped(stampCode, g.CreatedAt)
	if req.DPoPJKT != "" {
		code += "." + req.DPoPJKT
	}
	err := tx.AuthCodes().Create(ctx, model.AuthCode{
		Hash: stampedHash(code), TenantID: g.TenantID, GrantID: g.ID, ClientID: g.ClientID, MemberID: g.MemberID,
		SessionID: g.SessionID, RedirectURI: req.RedirectURI, Scopes: g.Scopes, Nonce: req.Nonce,
		CodeChallenge: req.Challenge, CodeChallengeMethod: req.ChallengeMethod,
		AuthTime: g.AuthTime, CreatedAt: g.CreatedAt, ExpiresAt: g.CreatedAt.Add(CodeTTL),
	})
	if err != nil {
		return "", fmt.Errorf("store authorization code: %w", err)
	}
	return code, nil
}

// auditAuthorize records the authorization (never a code or token) in the
// transaction that stores it.
func (p *Provider) auditAuthorize(ctx context.Context, tx store.Tx, t model.Tenant, req *authRequest, m model.Member, g model.Grant) error {
	return auditlog.Record(ctx, tx.Audit(), model.AuditEvent{
		TenantID: t.ID, At: g.CreatedAt, Actor: "member:" + m.ID, Action: "oauth.authorize",
		Target: "client:" + req.Client.ID, Detail: map[string]string{
			"grant": g.ID, "response_type": string(req.ResponseType), "scope": oauth.Scopes(g.Scopes).String(),
		},
	})
}
