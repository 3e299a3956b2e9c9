package scim

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// TokenPrefix marks a Guildgate SCIM token, so secret scanners and people
// can recognise one that leaked. A token is TokenPrefix, the connection's
// id, "." and 256 random bits (base64url): the id says which connection's
// hash to compare against, so no lookup is ever made by the secret.
const TokenPrefix = "gscim_"

// ErrInvalidToken means the presented token is malformed, of no
// connection of the tenant, or not the connection's current one. Callers
// answer all alike (401).
var ErrInvalidToken = errors.New("scim: invalid or replaced token")

// Tokens issues and checks connections' SCIM bearer tokens. Only their
// SHA-256 is stored: a token carries 256 random bits, so a slow hash would
// add latency to every SCIM call and nothing else.
type Tokens struct {
	Connections store.Connections
	SCIM        store.SCIM
	Audit       store.Audit
	Now         func() time.Time
}

// Issue makes a new token for the connection, replacing the one before,
// and returns it; it is never stored and so can be shown only this once.
func (t *Tokens) Issue(ctx context.Context, actor, tenantID, connectionID string) (string, error) {
	c, err := t.Connections.Get(ctx, tenantID, strings.TrimSpace(connectionID))
	if errors.Is(err, model.ErrNotFound) {
		return "", &problem.NotFound{Msg: fmt.Sprintf("no connection with id %q", connectionID), Err: err}
	} else if err != nil {
		return "", fmt.Errorf("issue scim token: %w", err)
	}
	if c.IssuerMode == model.IssuerEntraMultiTenant {
		// One token would speak for every organisation of the connection:
		// nothing in a SCIM request says which Entra tenant sent it.
		return "", &problem.Invalid{Problems: []problem.Problem{{Field: "connection",
			Message: "a multi-tenant Entra ID connection cannot take SCIM: add a connection per organisation"}}}
	}
	token := TokenPrefix + c.ID + "." + ids.NewToken(32)
	now := store.Stamp(t.Now())
	if err := t.SCIM.SetTokenHash(ctx, tenantID, c.ID, ids.Hash(token), now); err != nil {
		return "", fmt.Errorf("issue scim token: %w", err)
	}
	err = auditlog.Record(ctx, t.Audit, model.AuditEvent{TenantID: tenantID, At: now, Actor: actor,
		Action: "connection.scim_token.issue", Target: "connection:" + c.ID})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Authenticate returns the tenant's connection whose current token is
// token, or ErrInvalidToken. The hashes are compared in constant time.
func (t *Tokens) Authenticate(ctx context.Context, tenantID, token string) (model.Connection, error) {
	id, secret, ok := strings.Cut(strings.TrimPrefix(token, TokenPrefix), ".")
	if !strings.HasPrefix(token, TokenPrefix) || !ok || id == "" || len(secret) != 43 || len(id) > 100 {
		return model.Connection{}, ErrInvalidToken
	}
	want, err := t.SCIM.TokenHash(ctx, tenantID, id)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.Connection{}, ErrInvalidToken
	case err != nil:
		return model.Connection{}, fmt.Errorf("authenticate scim token: %w", err)
	case subtle.ConstantTimeCompare([]byte(ids.Hash(token)), []byte(want)) != 1:
		return model.Connection{}, ErrInvalidToken
	}
	c, err := t.Connections.Get(ctx, tenantID, id)
	if errors.Is(err, model.ErrNotFound) {
		return model.Connection{}, ErrInvalidToken
	} else if err != nil {
		return model.Connection{}, fmt.Errorf("authenticate scim token: %w", err)
	}
	return c, nil
}
