// Package webhooks tells partner apps what changed in a tenant's directory,
// so that a lapsed membership loses access everywhere without waiting for
// the member's next sign-in. It keeps each tenant's endpoints (an https
// URL, the event types it wants, and signing secrets that rotate with an
// overlap) and signs every delivery as the Standard Webhooks specification
// says, so receivers can check it with that specification's libraries.
package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

const (
	// MaxURLLength bounds an endpoint's URL.
	MaxURLLength = 2048
	// MaxOverlap bounds a rotation's overlap, as for client secrets.
	MaxOverlap = 30 * 24 * time.Hour
	// maxSecrets bounds the secrets live at once: each signs every delivery.
	maxSecrets = 4
)

// Service applies the endpoint rules over the store. Methods that change
// something take the audit actor explicitly, as the other services do.
type Service struct {
	Store store.WebhookEndpoints
	Audit store.Audit
	// Secrets is the master keyring: it seals the endpoints' secrets and
	// opens the outbox items that hold their deliveries.
	Secrets *secrets.Keyring
	Now     func() time.Time
	// Outbox, Queue and Atomic list and resend deliveries. Queue returns
	// the outbox queue, as for Events.
	Outbox store.Outbox
	Queue  func(ctx context.Context) (*outbox.Queue, error)
	Atomic func(ctx context.Context, fn func(tx store.Tx) error) error
	// Mail tells the administrators when an endpoint is disabled; one that
	// is not Enabled (no --smtp-url) sends nothing, the audit log and the
	// console still telling.
	Mail *mail.Mailer
}

// Input is a new endpoint: its URL and the event types it wants (none:
// every type).
type Input struct {
	URL    string
	Events []string
}

// Validate reports every problem with in, as Add would.
func (in Input) Validate() error {
	var ps problem.List
	ps.Check("url", checkURL(strings.TrimSpace(in.URL)))
	ps.Check("events", checkEvents(in.Events))
	return ps.Err()
}

// checkURL requires an absolute https URL without credentials or a
// fragment. Whether its address may be reached is decided at each
// delivery by the outbound client (no private address unless the operator
// allows), since a name can point elsewhere tomorrow.
func checkURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "is required"
	case len(raw) > MaxURLLength:
		return fmt.Sprintf("must be at most %d characters", MaxURLLength)
	case err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "":
		return "must be an absolute https URL"
	case u.User != nil:
		return "must not hold a user name or password"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "must not have a fragment"
	}
	return ""
}

func checkEvents(events []string) string {
	for _, e := range events {
		if !slices.Contains(model.WebhookEvents, e) {
			return fmt.Sprintf("%q is not an event type; the types are %s", e, strings.Join(model.WebhookEvents, ", "))
		}
	}
	return ""
}

func normEvents(events []string) []string {
	if len(events) == 0 {
		return slices.Clone(model.WebhookEvents)
	}
	var out []string
	for _, e := range model.WebhookEvents { // display order, repeats dropped
		if slices.Contains(events, e) {
			out = append(out, e)
		}
	}
	return out
}

func (s *Service) now() time.Time { return store.Stamp(s.Now()) }

// Add registers an endpoint and returns it with its signing secret, which
// is shown only this once (it is kept sealed, to sign with).
func (s *Service) Add(ctx context.Context, actor, tenantID string, in Input) (model.WebhookEndpoint, string, error) {
	if err := in.Validate(); err != nil {
		return model.WebhookEndpoint{}, "", err
	}
	now := s.now()
	e := model.WebhookEndpoint{ID: ids.NewUUID(), TenantID: tenantID, URL: strings.TrimSpace(in.URL),
		Events: normEvents(in.Events), CreatedAt: now, UpdatedAt: now}
	secret, sealed, err := s.newSecret(e, now)
	if err != nil {
		return model.WebhookEndpoint{}, "", err
	}
	e.Secrets = []model.ClientSecret{sealed}
	if err := s.Store.Create(ctx, e); err != nil {
		return model.WebhookEndpoint{}, "", fmt.Errorf("add webhook endpoint: %w", err)
	}
	return e, secret, s.audit(ctx, actor, tenantID, "webhook.create", e.ID, map[string]string{"url": e.URL})
}

// secretAD binds a sealed secret to its tenant and endpoint.
func secretAD(tenantID, id string) []byte {
	return secrets.AssociatedData(tenantID, id, "webhook_secret")
}

func (s *Service) newSecret(e model.WebhookEndpoint, now time.Time) (string, model.ClientSecret, error) {
	if s.Secrets == nil { // a wiring mistake must not store a secret unsealed
		return "", model.ClientSecret{}, errors.New("webhooks: no master keyring configured")
	}
	secret := NewSecret()
	sealed, err := s.Secrets.Encrypt([]byte(secret), secretAD(e.TenantID, e.ID))
	if err != nil {
		return "", model.ClientSecret{}, fmt.Errorf("seal secret of webhook endpoint %s: %w", e.ID, err)
	}
	return secret, model.ClientSecret{Ciphertext: sealed, CreatedAt: now}, nil
}

// Keys returns the signing keys of e's secrets live at now, newest first.
func (s *Service) Keys(e model.WebhookEndpoint, now time.Time) ([][]byte, error) {
	var keys [][]byte
	for _, cs := range e.Secrets {
		if !cs.ExpiresAt.IsZero() && !now.Before(cs.ExpiresAt) {
			continue
		}
		plain, err := s.Secrets.Decrypt(cs.Ciphertext, secretAD(e.TenantID, e.ID))
		if err != nil {
			return nil, fmt.Errorf("secret of webhook endpoint %s: %w", e.ID, err)
		}
		key, err := ParseSecret(string(plain))
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// Get finds an endpoint.
func (s *Service) Get(ctx context.Context, tenantID, id string) (model.WebhookEndpoint, error) {
	e, err := s.Store.Get(ctx, tenantID, strings.TrimSpace(id))
	return e, notFound(err, id)
}

// List returns the tenant's endpoints, oldest first.
func (s *Service) List(ctx context.Context, tenantID string) ([]model.WebhookEndpoint, error) {
	es, err := s.Store.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	return es, nil
}

// Delete removes an endpoint; nothing more is sent to it.
func (s *Service) Delete(ctx context.Context, actor, tenantID, id string) error {
	id = strings.TrimSpace(id)
	if err := notFound(s.Store.Delete(ctx, tenantID, id), id); err != nil {
		return err
	}
	return s.audit(ctx, actor, tenantID, "webhook.delete", id, nil)
}

// RotateSecret gives the endpoint a new secret, returned this once. Every
// older secret keeps signing deliveries until now+overlap at the latest,
// so the receiver can switch without missing one; overlap 0 ends them at
// once (the answer to a leak).
func (s *Service) RotateSecret(ctx context.Context, actor, tenantID, id string, overlap time.Duration) (model.WebhookEndpoint, string, error) {
	if overlap < 0 || overlap > MaxOverlap {
		return model.WebhookEndpoint{}, "", invalid("overlap", "must be between 0 and %s (30 days)", MaxOverlap)
	}
	var secret string
	e, err := s.Store.Update(ctx, tenantID, strings.TrimSpace(id), func(e model.WebhookEndpoint) (model.WebhookEndpoint, error) {
		now := s.now()
		var fresh model.ClientSecret
		var err error
		if secret, fresh, err = s.newSecret(e, now); err != nil {
			return e, err
		}
		end := now.Add(overlap)
		next := []model.ClientSecret{fresh}
		for _, cs := range e.Secrets {
			if cs.ExpiresAt.IsZero() || cs.ExpiresAt.After(end) {
				cs.ExpiresAt = end
			}
			if now.Before(cs.ExpiresAt) {
				next = append(next, cs)
			}
		}
		if len(next) > maxSecrets {
			return e, invalid("overlap", "%d earlier secrets would still sign; at most %d may overlap the new one: "+
				"rotate with overlap 0 to end them all now", len(next)-1, maxSecrets-1)
		}
		e.Secrets, e.UpdatedAt = next, now
		return e, nil
	})
	if err := notFound(err, id); err != nil {
		return model.WebhookEndpoint{}, "", err
	}
	detail := map[string]string{"overlap": overlap.String()}
	return e, secret, s.audit(ctx, actor, tenantID, "webhook.rotate_secret", e.ID, detail)
}

func notFound(err error, id string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, model.ErrNotFound):
		return &problem.NotFound{Msg: fmt.Sprintf("no webhook endpoint with id %q", strings.TrimSpace(id)), Err: err}
	}
	if _, ok := errors.AsType[*problem.Invalid](err); ok {
		return err
	}
	return fmt.Errorf("webhook endpoint %s: %w", id, err)
}

func invalid(field, format string, args ...any) error {
	var ps problem.List
	ps.Add(field, format, args...)
	return ps.Err()
}

func (s *Service) audit(ctx context.Context, actor, tenantID, action, id string, detail map[string]string) error {
	return s.auditIn(ctx, s.Audit, actor, tenantID, action, id, detail)
}

// auditIn records into log, the store's or a transaction's, through
// auditlog like every other service's change.
func (s *Service) auditIn(ctx context.Context, log store.Audit, actor, tenantID, action, id string, detail map[string]string) error {
	return auditlog.Record(ctx, log, model.AuditEvent{TenantID: tenantID, At: s.now(), Actor: actor, Action: action,
		Target: "webhook:" + id, Detail: detail})
}
