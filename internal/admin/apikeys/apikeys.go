// Package apikeys issues, checks and revokes the bearer keys that programs
// use to call a tenant's admin API (/api/v1). It is a service of its own so
// the CLI (which creates keys) and the API (which checks them) share one
// definition of what a key looks like and how it is stored: only its
// SHA-256, since the key carries 256 random bits and a slow hash would add
// nothing but latency to every API call.
package apikeys

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

const (
	// Prefix marks a Guildgate admin key, so secret scanners and people can
	// recognise one that leaked into a repository or a log.
	Prefix = "gga_"
	// keyBytes gives 256 random bits.
	keyBytes = 32
	// keyLen is Prefix plus base64url of keyBytes, unpadded.
	keyLen = len(Prefix) + 43
	// shownPrefix is how much of a key lists show: enough to tell keys
	// apart, 24 bits of 256, so nothing useful for guessing the rest.
	shownPrefix = len(Prefix) + 4
	// MaxNameLength bounds a key's name.
	MaxNameLength = 100
)

// ErrInvalidKey means the presented key is malformed, unknown in the
// tenant, or revoked. Callers answer all three alike (401), so a caller
// cannot probe which keys exist.
var ErrInvalidKey = errors.New("apikeys: invalid, unknown or revoked key")

// Service applies the key rules over the store. Methods that change
// something take the audit actor explicitly, as the other services do.
type Service struct {
	Store store.APIKeys
	Audit store.Audit
	Now   func() time.Time
}

func (s *Service) now() time.Time { return store.Stamp(s.Now()) }

// Create makes a key named name and returns it with its secret value,
// which is never stored and so can be shown only this once.
func (s *Service) Create(ctx context.Context, actor, tenantID, name string) (model.APIKey, string, error) {
	name = strings.TrimSpace(name)
	if err := checkName(name); err != nil {
		return model.APIKey{}, "", err
	}
	secret := Prefix + ids.NewToken(keyBytes)
	k := model.APIKey{ID: ids.NewUUID(), TenantID: tenantID, Name: name, Hash: ids.Hash(secret),
		Prefix: secret[:shownPrefix], CreatedBy: actor, CreatedAt: s.now()}
	if err := s.Store.Create(ctx, k); err != nil {
		return model.APIKey{}, "", fmt.Errorf("create api key %q: %w", name, err)
	}
	return k, secret, s.audit(ctx, actor, tenantID, "apikey.create", k.ID, map[string]string{"name": name})
}

func checkName(name string) error {
	var ps problem.List
	ps.Check("name", inputs.CheckText(name, true, MaxNameLength))
	return ps.Err()
}

// List returns the tenant's keys, revoked ones included, oldest first.
func (s *Service) List(ctx context.Context, tenantID string) ([]model.APIKey, error) {
	ks, err := s.Store.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return ks, nil
}

// Revoke stops the key working at once, on every replica: each request
// reads the key from the store, so there is no cache to wait out.
func (s *Service) Revoke(ctx context.Context, actor, tenantID, id string) error {
	id = strings.TrimSpace(id)
	err := s.Store.Revoke(ctx, tenantID, id, s.now())
	if errors.Is(err, model.ErrNotFound) {
		return &problem.NotFound{Msg: fmt.Sprintf("no API key with id %q", id), Err: err}
	} else if err != nil {
		return fmt.Errorf("revoke api key %s: %w", id, err)
	}
	return s.audit(ctx, actor, tenantID, "apikey.revoke", id, nil)
}

// Authenticate returns the tenant's live key whose value is secret, or
// ErrInvalidKey. A value of the wrong shape is refused before any lookup.
func (s *Service) Authenticate(ctx context.Context, tenantID, secret string) (model.APIKey, error) {
	if len(secret) != keyLen || !strings.HasPrefix(secret, Prefix) {
		return model.APIKey{}, ErrInvalidKey
	}
	k, err := s.Store.GetByHash(ctx, tenantID, ids.Hash(secret))
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.APIKey{}, ErrInvalidKey
	case err != nil:
		return model.APIKey{}, fmt.Errorf("authenticate api key: %w", err)
	case !k.RevokedAt.IsZero():
		return model.APIKey{}, fmt.Errorf("%w: key %s was revoked", ErrInvalidKey, k.ID)
	}
	return k, nil
}

// Actor is how the audit log names changes made with key k.
func Actor(k model.APIKey) string { return "apikey:" + k.ID }

func (s *Service) audit(ctx context.Context, actor, tenantID, action, id string, detail map[string]string) error {
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{TenantID: tenantID, At: s.now(), Actor: actor, Action: action,
		Target: "apikey:" + id, Detail: detail})
}
