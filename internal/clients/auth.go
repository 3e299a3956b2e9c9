package clients

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// ErrInvalidClient is wrapped by every Authenticate failure that the
// endpoint must answer with invalid_client (RFC 6749 §5.2): unknown client,
// wrong secret, or a public client presenting one. Which of them it was is
// in the wrapping text, for the log only; the client learns nothing more.
var ErrInvalidClient = errors.New("client authentication failed")

func invalidClient(why string) error { return fmt.Errorf("%w: %s", ErrInvalidClient, why) }

// Lookup finds a client for the protocol endpoints, from the cache; the id
// is compared case-insensitively. An unknown client is an error that
// errors.Is(model.ErrNotFound). tenantID must come from tenant resolution,
// not from the request: the cache keeps one (possibly empty) set per tenant
// asked about.
func (s *Service) Lookup(ctx context.Context, tenantID, clientID string) (model.Client, error) {
	e, err := s.entry(ctx, tenantID, clientID)
	if err != nil {
		return model.Client{}, err
	}
	return e.copyClient(), nil
}

func (s *Service) entry(ctx context.Context, tenantID, clientID string) (*entry, error) {
	clients, err := s.tenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	e, ok := clients[normalID(clientID)]
	if !ok {
		return nil, &problem.NotFound{Msg: "unknown client", Err: model.ErrNotFound}
	}
	return e, nil
}

// Authenticate checks a confidential client's secret (client_secret_basic
// or client_secret_post). The SHA-256 of the presented secret is compared
// in constant time with that of every secret the client has, and validity
// (current, or inside a rotation overlap) is folded in without branching,
// so the time taken says nothing about which secret matched or how close a
// guess came. Digests of equal length are compared, so the secret's length
// does not leak either. A public client never authenticates with a secret.
// An unknown client is answered without a comparison: client ids are not
// secret (they travel in URLs), so that difference in time reveals nothing.
func (s *Service) Authenticate(ctx context.Context, tenantID, clientID, secret string) (model.Client, error) {
	sum := sha256.Sum256([]byte(secret)) // hashed first, whatever the outcome
	e, err := s.entry(ctx, tenantID, clientID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.Client{}, invalidClient("unknown client")
	case err != nil:
		return model.Client{}, err
	case e.client.Public:
		return model.Client{}, invalidClient("public client presented a secret")
	case e.err != nil:
		return model.Client{}, e.err // a server fault, not the client's
	}
	now := s.now()
	match := 0
	for _, sec := range e.secrets {
		live := 0
		if sec.expiresAt.IsZero() || now.Before(sec.expiresAt) {
			live = 1
		}
		match |= subtle.ConstantTimeCompare(sum[:], sec.sum[:]) & live
	}
	if match != 1 {
		return model.Client{}, invalidClient("wrong secret")
	}
	return e.copyClient(), nil
}

// SigningSecret returns the client's newest secret, the HMAC key for its
// HS256 ID tokens and legacy JWTs. During a rotation overlap tokens are
// signed with the new secret: the overlap is for partners to switch over.
func (s *Service) SigningSecret(ctx context.Context, c model.Client) ([]byte, error) {
	e, err := s.entry(ctx, c.TenantID, c.ID)
	switch {
	case err != nil:
		return nil, err
	case e.err != nil:
		return nil, e.err
	case len(e.secrets) == 0:
		return nil, fmt.Errorf("client %s is public: it has no secret to sign with", c.ID)
	}
	return bytes.Clone(e.secrets[0].plain), nil
}

// VerificationSecrets returns every secret of the client that is still
// valid (the newest first), for checking HS256 tokens the client presents
// back to us, such as an id_token_hint: one signed just before a rotation
// must still verify during the overlap. An unknown or public client (which
// has no secret) is an error wrapping model.ErrNotFound.
func (s *Service) VerificationSecrets(ctx context.Context, tenantID, clientID string) ([][]byte, error) {
	e, err := s.entry(ctx, tenantID, clientID)
	switch {
	case err != nil:
		return nil, err
	case e.err != nil:
		return nil, e.err
	case e.client.Public || len(e.secrets) == 0:
		return nil, fmt.Errorf("client %s is public: %w", e.client.ID, model.ErrNotFound)
	}
	now := s.now()
	var out [][]byte
	for _, sec := range e.secrets {
		if sec.expiresAt.IsZero() || now.Before(sec.expiresAt) {
			out = append(out, bytes.Clone(sec.plain))
		}
	}
	return out, nil
}
