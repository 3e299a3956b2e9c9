// Package clients manages the SSO clients an administrator registers for
// partner apps, and answers the protocol endpoints' two hot questions about
// them: "which client is this?" and "is this its secret?".
//
// It exists as one service so that the CLI, the admin API and the OIDC
// endpoints share one set of rules: what a valid registration is (redirect
// URIs through internal/oauth, never a second copy of those rules), how a
// secret is generated, encrypted at rest and rotated with an overlap, and
// how it is checked. Secrets are checked by a constant-time comparison of
// SHA-256 digests, never a slow password hash: they carry 256 random bits,
// so a fast hash loses nothing, and the token endpoint must sustain more
// than 12,000 client authentications per second per core.
//
// Lookups are served from a per-replica cache validated against the store's
// client version at most every CacheTTL (see cache.go for the bound).
package clients

import (
	"context"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

// DefaultCacheTTL bounds how long a replica may serve a client (or a
// secret) that another replica has since changed, rotated or deleted.
const DefaultCacheTTL = 2 * time.Second

// Service applies the client rules over the store. Methods that change
// something take the audit actor explicitly, as internal/directory does.
// A Service is safe for concurrent use; it must not be copied after first use.
type Service struct {
	Store  store.Clients
	Groups store.Groups
	// Grants lets a change of permitted groups revoke what the members it
	// shuts out hold.
	Grants   store.Grants
	Audit    store.Audit
	Secrets  *secrets.Keyring
	Now      func() time.Time
	CacheTTL time.Duration // 0 means DefaultCacheTTL

	cache cache
}

// now is truncated to the store's microsecond precision, so what Create
// returns equals what a later Get reads back.
func (s *Service) now() time.Time { return store.Stamp(s.Now()) }

func (s *Service) ttl() time.Duration {
	if s.CacheTTL <= 0 {
		return DefaultCacheTTL
	}
	return s.CacheTTL
}

// normalID lower-cases a client id: ids are generated lower-case and
// partners often send a GUID upper-cased, which must still match.
func normalID(id string) string { return strings.ToLower(id) }

func target(id string) string { return "client:" + id }

// audit records a change. Detail carries names, ids and field names, never
// a secret or ciphertext.
func (s *Service) audit(ctx context.Context, actor, tenantID, action, id string, detail map[string]string) error {
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{
		TenantID: tenantID, At: s.now(), Actor: actor, Action: action, Target: target(id), Detail: detail,
	})
}
