// Package scimtokens issues and checks the bearer tokens with which an
// organisation's directory calls SCIM for one connection. It is a rule of its
// own, below the SCIM surface, so that the command line (which issues a
// token) and the SCIM server (which checks it) share one definition of what
// a token looks like and how it is stored, built once in package services.
package scimtokens

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

// Prefix marks a Guildgate SCIM token, so secret scanners and people
// can recognise one that leaked. A token is Prefix, the connection's
// id, "." and 256 random bits (base64url): the id says which connection's
// hash to compare against, so no lookup is ever made by the secret.
const Prefix = "gscim_"

const (
	secretBytes = 32 // 256 random bits
	secretLen   = 43 // base64url of secretBytes, unpadded
)

// ErrInvalid means the presented token is malformed, of no
// connection of the tenant, or not the connection's current one. Callers
// answer all alike (401).
var ErrInvalid = errors.New("scimtokens: invalid or replaced token")

// Service issues and checks connections' SCIM bearer tokens. Only their
// SHA-256 is stored: a token carries 256 random bits, so a slow hash would
// add latency to every SCIM call and nothing else.
type Service struct {
	Connections store.Connections
	SCIM        store.SCIM
	Audit       store.Audit
	Now         func() time.Time
}

// Issue makes a new token for the connection, replacing the one before,
// and returns it; it is never stored and so can be shown only this once.
func (t *Service) Issue(ctx context.Context, actor, tenantID, connectionID string) (string, error) {
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
	token := Prefix + c.ID + "." + ids.NewToken(secretBytes)
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
// token, or ErrInvalid. The hashes are compared in constant time.
func (t *Service) Authenticate(ctx context.Context, tenantID, token string) (model.Connection, error) {
	id, secret, ok := strings.Cut(strings.TrimPrefix(token, Prefix), ".")
	if !strings.HasPrefix(token, Prefix) || !ok || id == "" || len(secret) != secretLen || len(id) > 100 {
		return model.Connection{}, ErrInvalid
	}
	want, err := t.SCIM.TokenHash(ctx, tenantID, id)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.Connection{}, ErrInvalid
	case err != nil:
		return model.Connection{}, fmt.Errorf("authenticate scim token: %w", err)
	case subtle.ConstantTimeCompare([]byte(ids.Hash(token)), []byte(want)) != 1:
		return model.Connection{}, ErrInvalid
	}
	c, err := t.Connections.Get(ctx, tenantID, id)
	if errors.Is(err, model.ErrNotFound) {
		return model.Connection{}, ErrInvalid
	} else if err != nil {
		return model.Connection{}, fmt.Errorf("authenticate scim token: %w", err)
	}
	return c, nil
}
