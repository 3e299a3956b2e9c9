package clientkeys

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
)

// Cache timings for keys fetched from a jwks_uri.
const (
	// TTL is how long fetched keys are used before they are fetched again.
	TTL = 5 * time.Minute
	// MinRefresh spaces out refreshes forced by an unknown kid.
	MinRefresh = 10 * time.Second
	// maxCached bounds the cache; past it, the cache starts over.
	maxCached = 4096
)

// ErrNoKey is wrapped when no registered key fits the token: the client
// has no keys, or none with its kid and algorithm.
var ErrNoKey = errors.New("clientkeys: no registered key fits")

// Verifier checks client-signed JWTs. HTTP must be the outbound client for
// outbound.ClientJWKS; Now is injected for the cache. Safe for concurrent
// use; must not be copied after first use.
type Verifier struct {
	HTTP *http.Client
	Now  func() time.Time

	mu      sync.Mutex
	entries map[string]*cached
}

// cached is one jwks_uri's keys. Its own mutex serializes fetches of that
// URI, so a slow client server delays only its own requests.
type cached struct {
	mu      sync.Mutex
	set     jose.JSONWebKeySet
	fetched time.Time // zero: never fetched successfully
	tried   time.Time // last attempt, successful or not
}

// Verify checks a compact JWS signed by client c and returns its payload
// and header. The algorithm must be one of Asymmetric (with a key of the
// client's), or HS256 when hmacKeys (the client's live secrets) are given.
// wantType checks the `typ` header.
func (v *Verifier) Verify(ctx context.Context, c model.Client, token string, hmacKeys [][]byte, wantType func(string) bool) ([]byte, jose.Header, error) {
	algs := joseAlgs(Asymmetric)
	if len(hmacKeys) > 0 {
		algs = append(algs, jose.HS256)
	}
	if len(token) > maxTokenLen {
		return nil, jose.Header{}, errors.New("clientkeys: token too long")
	}
	jws, err := jose.ParseSignedCompact(token, algs)
	if err != nil {
		return nil, jose.Header{}, fmt.Errorf("clientkeys: not an acceptable JWS: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, jose.Header{}, errors.New("clientkeys: want exactly one signature")
	}
	h := jws.Signatures[0].Protected
	typ, _ := h.ExtraHeaders[jose.HeaderType].(string)
	if !wantType(typ) {
		return nil, h, fmt.Errorf("clientkeys: token type %q is not the kind expected here", typ)
	}
	if h.Algorithm == string(jose.HS256) {
		return verifyHMAC(jws, h, hmacKeys)
	}
	key, err := v.key(ctx, c, h)
	if err != nil {
		return nil, h, err
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, h, fmt.Errorf("clientkeys: bad signature: %w", err)
	}
	return payload, h, nil
}

// verifyHMAC tries each live secret; go-jose compares MACs in constant time.
func verifyHMAC(jws *jose.JSONWebSignature, h jose.Header, keys [][]byte) ([]byte, jose.Header, error) {
	for _, k := range keys {
		if payload, err := jws.Verify(k); err == nil {
			return payload, h, nil
		}
	}
	return nil, h, errors.New("clientkeys: bad HS256 signature (no live client secret matches)")
}

// key finds the client's key for h: by kid when the header names one,
// else the only key that can verify the algorithm. An unknown kid on a
// jwks_uri client refreshes its keys once (rotation) before giving up.
func (v *Verifier) key(ctx context.Context, c model.Client, h jose.Header) (*jose.JSONWebKey, error) {
	switch {
	case c.JWKS != "":
		set, err := ParseSet([]byte(c.JWKS))
		if err != nil {
			return nil, fmt.Errorf("clientkeys: the registered key set: %w", err)
		}
		return pick(set, h)
	case c.JWKSURI != "":
		return v.fromURI(ctx, c, h)
	}
	return nil, fmt.Errorf("%w: the client registered no keys", ErrNoKey)
}

func (v *Verifier) fromURI(ctx context.Context, c model.Client, h jose.Header) (*jose.JSONWebKey, error) {
	e := v.entry(c)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := v.Now()
	if e.fetched.IsZero() || now.Sub(e.fetched) >= TTL {
		if err := v.fetch(ctx, c.JWKSURI, e, now); err != nil && e.fetched.IsZero() {
			return nil, err
		} // a failed refresh keeps serving the keys it had
	}
	k, err := pick(e.set, h)
	if err == nil || !errors.Is(err, ErrNoKey) || now.Sub(e.tried) < MinRefresh {
		return k, err
	}
	if err := v.fetch(ctx, c.JWKSURI, e, now); err != nil {
		return nil, err
	}
	return pick(e.set, h)
}

// entry is the cache slot of c's jwks_uri, per tenant and client: two
// clients naming one URL are still fetched apart, so neither can keep the
// other's keys stale.
func (v *Verifier) entry(c model.Client) *cached {
	k := c.TenantID + "\x00" + c.ID + "\x00" + c.JWKSURI
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.entries == nil || len(v.entries) >= maxCached {
		v.entries = map[string]*cached{}
	}
	e, ok := v.entries[k]
	if !ok {
		e = &cached{}
		v.entries[k] = e
	}
	return e
}

func (v *Verifier) fetch(ctx context.Context, uri string, e *cached, now time.Time) error {
	e.tried = now
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return fmt.Errorf("clientkeys: jwks_uri: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := v.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("clientkeys: fetch jwks_uri: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("clientkeys: jwks_uri answered %s", resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("clientkeys: read jwks_uri: %w", err)
	}
	set, err := ParseSet(body)
	if err != nil {
		return fmt.Errorf("clientkeys: jwks_uri: %w", err)
	}
	e.set, e.fetched = set, now
	return nil
}

// pick chooses the key that verifies h: the one with h's kid, or with no
// kid in h, the only one fit for h's algorithm. A key that names an
// algorithm must name h's.
func pick(set jose.JSONWebKeySet, h jose.Header) (*jose.JSONWebKey, error) {
	var fits []jose.JSONWebKey
	for _, k := range set.Keys {
		if (h.KeyID == "" || k.KeyID == h.KeyID) && fitsAlg(k, h.Algorithm) {
			fits = append(fits, k)
		}
	}
	switch {
	case len(fits) == 1:
		return &fits[0], nil
	case len(fits) == 0 && h.KeyID != "":
		return nil, fmt.Errorf("%w: none has kid %q and algorithm %s", ErrNoKey, h.KeyID, h.Algorithm)
	case len(fits) == 0:
		return nil, fmt.Errorf("%w: none for algorithm %s", ErrNoKey, h.Algorithm)
	}
	return nil, fmt.Errorf("clientkeys: %d keys fit algorithm %s; the token must name one by kid", len(fits), h.Algorithm)
}

// fitsAlg reports whether k can verify alg: the key type the algorithm
// family needs, and the key's own alg when it states one.
func fitsAlg(k jose.JSONWebKey, alg string) bool {
	if k.Algorithm != "" && k.Algorithm != alg {
		return false
	}
	switch k.Key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		return strings.HasPrefix(alg, "ES")
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}
