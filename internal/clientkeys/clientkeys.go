// Package clientkeys verifies what an SSO client signs with its own keys:
// request objects (RFC 9101) and client assertions (RFC 7523). A client
// registers its public keys as a JWK Set document (--jwks-file) or a URL
// (--jwks-uri). A URL is fetched only through internal/outbound (the
// address policy, bounded answers, timeouts), its keys are cached, and an
// unknown kid refreshes them, at most once per MinRefresh, so a client can
// rotate its keys without telling anyone while a stream of made-up kids
// cannot turn Guildgate into a request cannon aimed at the client's server.
//
// The algorithm list is fixed here and passed to go-jose explicitly, so a
// token's own header can never choose `none`, or HS256 keyed with a public
// key. HS256 is accepted only where the caller hands over the client's
// secrets (request objects, RFC 9101 §10.2), never for client assertions.
package clientkeys

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

// Bounds on a key set: far above any real client's (a few keys during a
// rotation), low enough that checking one costs little.
const (
	MaxDocument = 64 << 10
	MaxKeys     = 16
	maxURILen   = 2048
	maxTokenLen = 16 << 10
)

// Asymmetric lists the algorithms a client may sign with its keys, as
// discovery publishes them.
var Asymmetric = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func joseAlgs(names []string) []jose.SignatureAlgorithm {
	out := make([]jose.SignatureAlgorithm, len(names))
	for i, n := range names {
		out[i] = jose.SignatureAlgorithm(n)
	}
	return out
}

// ParseSet reads a JWK Set document and keeps only what can verify a
// signature. A private or symmetric key is refused outright, with the
// document: a client that pastes its private key must learn at once that
// it leaked, and must not have it stored.
func ParseSet(doc []byte) (jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	if len(doc) > MaxDocument {
		return set, fmt.Errorf("the key set is longer than %d bytes", MaxDocument)
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return set, fmt.Errorf("not a JWK Set (RFC 7517 §5): %w", err)
	}
	if len(set.Keys) > MaxKeys {
		return set, fmt.Errorf("the key set holds %d keys; at most %d are allowed", len(set.Keys), MaxKeys)
	}
	for i, k := range set.Keys {
		if err := checkKey(k); err != nil {
			return set, fmt.Errorf("key %d (kid %q): %w", i+1, k.KeyID, err)
		}
	}
	return set, nil
}

func checkKey(k jose.JSONWebKey) error {
	switch {
	case k.Key != nil && !k.IsPublic():
		return errors.New("is a private or symmetric key: register only public keys, and replace this one, which has now left your hands")
	case !k.Valid():
		return errors.New("is not a valid key")
	case k.Use != "" && k.Use != "sig":
		return fmt.Errorf("is for %q, not for signatures (use \"sig\")", k.Use)
	case k.Algorithm != "" && !slices.Contains(Asymmetric, k.Algorithm):
		return fmt.Errorf("names algorithm %q; the supported ones are %v", k.Algorithm, Asymmetric)
	}
	return nil
}

// CheckSet reports what is wrong with a JWK Set document an administrator
// registers ("" when it is usable), in words for a form or the CLI.
func CheckSet(doc string) string {
	if doc == "" {
		return ""
	}
	set, err := ParseSet([]byte(doc))
	switch {
	case err != nil:
		return err.Error()
	case len(set.Keys) == 0:
		return "holds no key"
	}
	return ""
}

// CheckURI reports what is wrong with a jwks_uri ("" when it is usable):
// an absolute https URL without a fragment, as internal/outbound fetches
// nothing else.
func CheckURI(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	switch {
	case len(raw) > maxURILen:
		return fmt.Sprintf("must be at most %d characters", maxURILen)
	case err != nil || u.Host == "" || u.Opaque != "":
		return "is not an absolute URL"
	case u.Scheme != "https":
		return "must use https"
	case u.Fragment != "" || u.User != nil:
		return "must not carry a fragment or user information"
	}
	return ""
}
