// Package connections manages a tenant's upstream identity-provider
// connections: what a valid connection is, how its client secret is sealed
// at rest, which email domains it serves, and the single-use setup links an
// organisation's IT contact completes. The CLI, the admin API and the
// setup-link page share this one set of rules, so none can store a
// connection another would refuse.
package connections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

// SetupLinkTTL is how long a setup link works (PRODUCT.md: 72 hours).
const SetupLinkTTL = 72 * time.Hour

// Service applies the connection rules over the store. Methods that change
// something take the audit actor explicitly, as internal/directory does.
type Service struct {
	Store      store.Connections
	SetupLinks store.SetupLinks
	Groups     store.Groups
	Audit      store.Audit
	Secrets    *secrets.Keyring
	Now        func() time.Time
}

// now is truncated to the store's precision, so what Create returns equals
// what a later Get reads.
func (s *Service) now() time.Time { return store.Stamp(s.Now()) }

// secretAD binds a sealed client secret to its tenant and connection.
func secretAD(tenantID, id string) []byte {
	return secrets.AssociatedData(tenantID, id, "client_secret")
}

func (s *Service) seal(c model.Connection, plain string) (string, error) {
	if s.Secrets == nil {
		return "", errors.New("connections: no master keyring configured")
	}
	sealed, err := s.Secrets.Encrypt([]byte(plain), secretAD(c.TenantID, c.ID))
	if err != nil {
		return "", fmt.Errorf("seal client secret of connection %s: %w", c.ID, err)
	}
	return sealed, nil
}

// Secret opens the connection's client secret; "" when it has none.
func (s *Service) Secret(c model.Connection) (string, error) {
	if c.ClientSecret == "" {
		return "", nil
	}
	if s.Secrets == nil {
		return "", errors.New("connections: no master keyring configured")
	}
	plain, err := s.Secrets.Decrypt(c.ClientSecret, secretAD(c.TenantID, c.ID))
	if err != nil {
		return "", fmt.Errorf("client secret of connection %s: %w", c.ID, err)
	}
	return string(plain), nil
}

// Ready reports whether c names a provider and credentials; a connection
// made for a setup link is not ready until the link is completed, and
// sign-in never routes to it.
func Ready(c model.Connection) bool {
	endpoints := c.DiscoveryURL != "" || (c.Issuer != "" && c.AuthorizationURL != "" && c.TokenURL != "" && c.JWKSURL != "")
	return endpoints && c.ClientID != "" && c.ClientSecret != ""
}

func target(id string) string { return "connection:" + id }

// audit records a change; detail never holds a secret.
func (s *Service) audit(ctx context.Context, actor, tenantID, action, id string, detail map[string]string) error {
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{TenantID: tenantID, At: s.now(), Actor: actor, Action: action,
		Target: target(id), Detail: detail})
}
