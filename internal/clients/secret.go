package clients

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/secrets"
)

const (
	// secretBytes gives 256 random bits, 43 URL-safe characters: far beyond
	// guessing, which is why a fast hash is safe for checking them.
	secretBytes = 32
	// MaxOverlap bounds a rotation's overlap: long enough for a partner's
	// change window, short enough that a leaked old secret dies soon.
	MaxOverlap = 30 * 24 * time.Hour
	// maxSecrets bounds the secrets valid at once (current and overlapping),
	// since Authenticate compares against every one of them.
	maxSecrets = 4
)

// secretAD binds a sealed secret to its tenant and client, so a ciphertext
// copied into another client's row fails to decrypt.
func secretAD(tenantID, clientID string) []byte {
	return secrets.AssociatedData(tenantID, clientID, "client_secret")
}

// newSecret makes and seals a fresh current secret for c.
func (s *Service) newSecret(c model.Client, now time.Time) (model.ClientSecret, error) {
	if s.Secrets == nil { // a wiring mistake must not store a secret unsealed, nor panic
		return model.ClientSecret{}, errors.New("clients: no master keyring configured")
	}
	sealed, err := s.Secrets.Encrypt([]byte(ids.NewToken(secretBytes)), secretAD(c.TenantID, c.ID))
	if err != nil {
		return model.ClientSecret{}, fmt.Errorf("seal secret of client %s: %w", c.ID, err)
	}
	return model.ClientSecret{Ciphertext: sealed, CreatedAt: now}, nil
}

func (s *Service) openSecret(c model.Client, cs model.ClientSecret) ([]byte, error) {
	if s.Secrets == nil {
		return nil, errors.New("clients: no master keyring configured")
	}
	plain, err := s.Secrets.Decrypt(cs.Ciphertext, secretAD(c.TenantID, c.ID))
	if err != nil {
		return nil, fmt.Errorf("secret of client %s: %w", c.ID, err)
	}
	return plain, nil
}

// fitSecrets makes the secrets match the client's kind: a public client
// holds none, a confidential one at least a current one (a client made
// confidential by an update gets a new secret).
func (s *Service) fitSecrets(c *model.Client, now time.Time) error {
	switch {
	case c.Public:
		c.Secrets = nil
	case len(c.Secrets) == 0:
		fresh, err := s.newSecret(*c, now)
		if err != nil {
			return err
		}
		c.Secrets = []model.ClientSecret{fresh}
	}
	return nil
}

// liveAt reports whether cs authenticates at now: the current secret
// always, an older one until its ExpiresAt.
func liveAt(cs model.ClientSecret, now time.Time) bool {
	return cs.ExpiresAt.IsZero() || now.Before(cs.ExpiresAt)
}

// RotateSecret gives the client a new current secret. Every older secret
// keeps working until now+overlap at the latest (an older overlap that ends
// sooner keeps its end), so overlap 0 leaves only the new secret: the way to
// answer a leak. Secrets already expired are dropped.
func (s *Service) RotateSecret(ctx context.Context, actor, tenantID, id string, overlap time.Duration) (View, error) {
	if overlap < 0 || overlap > MaxOverlap {
		return View{}, invalid("overlap", "must be between 0 and %s (30 days)", MaxOverlap)
	}
	id = adminID(id)
	c, err := s.Store.Update(ctx, tenantID, id, func(c model.Client) (model.Client, error) {
		if c.Public {
			return c, invalid("", "client %s is public: it has no secret to rotate", c.ID)
		}
		now := s.now()
		fresh, err := s.newSecret(c, now)
		if err != nil {
			return c, err
		}
		if c.Secrets, err = rotated(c.Secrets, fresh, now, overlap); err != nil {
			return c, err
		}
		c.UpdatedAt = now
		return c, nil
	})
	if err != nil {
		return View{}, failed(err, id, "rotate secret of")
	}
	s.cache.invalidate()
	detail := map[string]string{"overlap": overlap.String()}
	if err := s.audit(ctx, actor, tenantID, "client.rotate_secret", id, detail); err != nil {
		return View{}, err
	}
	return s.view(ctx, c)
}

// rotated puts fresh first and ends every older secret by now+overlap.
func rotated(old []model.ClientSecret, fresh model.ClientSecret, now time.Time, overlap time.Duration) ([]model.ClientSecret, error) {
	end := now.Add(overlap)
	out := []model.ClientSecret{fresh}
	for _, cs := range old {
		if cs.ExpiresAt.IsZero() || cs.ExpiresAt.After(end) {
			cs.ExpiresAt = end
		}
		if liveAt(cs, now) {
			out = append(out, cs)
		}
	}
	if len(out) > maxSecrets {
		return nil, invalid("overlap", "%d earlier secrets would still be valid; at most %d may overlap the new one: "+
			"rotate with overlap 0 to end them all now", len(out)-1, maxSecrets-1)
	}
	return out, nil
}

func invalid(field, format string, args ...any) error {
	var ps problem.List
	ps.Add(field, format, args...)
	return ps.Err()
}
