package keys

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
)

// entry is one tenant's cache slot. mu only serializes refreshes of that
// tenant; a reader holding any snapshot never waits on it.
type entry struct {
	mu   sync.Mutex
	snap atomic.Pointer[snapshot]
}

// snapshot is an immutable view of one tenant's keys at one store version,
// with everything the hot paths need already computed.
type snapshot struct {
	version int64
	checked atomic.Int64 // UnixNano of the last Version read confirming it; 0 forces a check
	expires time.Time    // when the first published retired key must leave the JWKS; zero if none
	signers map[signerKey]compact
	public  map[string]jose.JSONWebKey // kid → public key
	set     jose.JSONWebKeySet
	body    []byte
	etag    string
	saml    SAMLKeys
}

type signerKey struct{ alg, typ string }

func (s *snapshot) fresh(now time.Time, ttl time.Duration) bool {
	return now.UnixNano()-s.checked.Load() < int64(ttl) && (s.expires.IsZero() || now.Before(s.expires))
}

// load returns the tenant's snapshot, refreshing it when older than CacheTTL.
// While one caller refreshes, the others keep using the previous snapshot:
// its keys are all still published, so what they sign still verifies.
func (m *Manager) load(ctx context.Context, tenantID string) (*snapshot, error) {
	v, ok := m.cache.Load(tenantID)
	if !ok {
		v, _ = m.cache.LoadOrStore(tenantID, &entry{})
	}
	e := v.(*entry)
	now, ttl := m.now(), orDefault(m.CacheTTL, DefaultCacheTTL)
	s := e.snap.Load()
	if s != nil && (s.fresh(now, ttl) || !e.mu.TryLock()) {
		return s, nil
	}
	if s == nil {
		e.mu.Lock()
	}
	defer e.mu.Unlock()
	if s = e.snap.Load(); s != nil && s.fresh(now, ttl) {
		return s, nil // refreshed while we waited
	}
	s, err := m.refresh(ctx, tenantID, s, now)
	if err != nil {
		return nil, err
	}
	e.snap.Store(s)
	return s, nil
}

// invalidate makes the next load check the store, so a change this Manager
// made is seen at once rather than after CacheTTL.
func (m *Manager) invalidate(tenantID string) {
	if v, ok := m.cache.Load(tenantID); ok {
		if s := v.(*entry).snap.Load(); s != nil {
			s.checked.Store(0)
		}
	}
}

// refresh costs one Version read when nothing changed. Version is read
// before List, so a change committed in between makes the next check reload
// again rather than hiding it.
func (m *Manager) refresh(ctx context.Context, tenantID string, old *snapshot, now time.Time) (*snapshot, error) {
	if m.Secrets == nil {
		return nil, errors.New("keys: no master key configured")
	}
	v, err := m.Store.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: reading key version: %w", err)
	}
	if old != nil && old.version == v && (old.expires.IsZero() || now.Before(old.expires)) {
		old.checked.Store(now.UnixNano())
		return old, nil
	}
	keys, err := m.Store.List(ctx, tenantID)
	if err == nil && !complete(keys) {
		// A tenant created since start-up gets its keys on first use.
		if err = m.Ensure(ctx, tenantID); err == nil {
			if v, err = m.Store.Version(ctx); err == nil {
				keys, err = m.Store.List(ctx, tenantID)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("keys: loading keys of tenant %s: %w", tenantID, err)
	}
	return build(m.Secrets, keys, v, now)
}

// complete reports whether every slot has a current and a next key.
func complete(keys []model.SigningKey) bool {
	for _, sl := range slots {
		var current, next bool
		for _, k := range keys {
			current = current || slotOf(k) == sl && k.State == model.KeyCurrent
			next = next || slotOf(k) == sl && k.State == model.KeyNext
		}
		if !current || !next {
			return false
		}
	}
	return true
}

// build decrypts every published key, derives the public JWKs (and SAML
// certificates) from the private keys and serializes the JWKS: current keys
// first, then next, then retired, each group in the store's order (newest
// first). SAML keys go to the SAML set only.
func build(keyring *secrets.Keyring, keys []model.SigningKey, version int64, now time.Time) (*snapshot, error) {
	s := &snapshot{version: version, signers: map[signerKey]compact{}, public: map[string]jose.JSONWebKey{}}
	for _, state := range []model.KeyState{model.KeyCurrent, model.KeyNext, model.KeyRetired} {
		for _, k := range keys {
			if k.State != state || !supported(k) || state == model.KeyRetired && !now.Before(k.RemoveAfter) {
				continue
			}
			if state == model.KeyRetired && (s.expires.IsZero() || k.RemoveAfter.Before(s.expires)) {
				s.expires = k.RemoveAfter
			}
			priv, err := open(keyring, k)
			if err != nil {
				return nil, err
			}
			if slotOf(k).purpose == model.KeyForSAML {
				if err := s.saml.add(k, priv); err != nil {
					return nil, err
				}
				continue
			}
			jwk, err := publicJWK(k, priv)
			if err != nil {
				return nil, err
			}
			s.set.Keys, s.public[k.ID] = append(s.set.Keys, jwk), jwk
			if state == model.KeyCurrent {
				if err := s.addSigners(k, priv); err != nil {
					return nil, err
				}
			}
		}
	}
	body, err := json.Marshal(s.set)
	if err != nil {
		return nil, fmt.Errorf("keys: encoding JWKS: %w", err)
	}
	sum := sha256.Sum256(body)
	s.body, s.etag = body, `"`+base64.RawURLEncoding.EncodeToString(sum[:18])+`"`
	s.checked.Store(now.UnixNano())
	return s, nil
}

// addSigners prepares one compact signer per token type for a current key,
// so signing a token is a map read. Should the store hold two current keys of
// one algorithm, the first (newest) signs.
func (s *snapshot) addSigners(k model.SigningKey, priv crypto.Signer) error {
	for _, typ := range types {
		key := signerKey{k.Alg, typ}
		if _, dup := s.signers[key]; dup {
			continue
		}
		c, err := newCompact(k.Alg, k.ID, typ, priv)
		if err != nil {
			return fmt.Errorf("keys: signer for key %s: %w", k.ID, err)
		}
		s.signers[key] = c
	}
	return nil
}
