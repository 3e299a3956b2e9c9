// Package dpop checks DPoP proofs (RFC 9449): the JWT a client signs with
// its own key for each request, so that a token bound to that key (its
// thumbprint in the token's cnf.jkt) is useless to whoever steals it
// without the key. It is the pure part: parsing, the signature under the
// embedded public key, the request it names (htm, htu), its age, and the
// hash of the access token it accompanies. Replay (jti) and server nonces
// need state and a key, so the caller brings them.
package dpop

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Algs are the algorithms a proof may be signed with (discovery's
// dpop_signing_alg_values_supported).
var Algs = []string{"ES256", "ES384", "ES512", "EdDSA", "RS256", "PS256"}

// Bounds on a proof.
const (
	maxProofLen = 8 << 10
	maxJTILen   = 256
	// MaxAge is how old a proof's iat may be; Skew how far in the future.
	MaxAge = 5 * time.Minute
	Skew   = 5 * time.Second
)

// Proof is a checked proof.
type Proof struct {
	JKT   string // the RFC 7638 SHA-256 thumbprint of the proof's key
	JTI   string
	Nonce string // as sent; the caller checks it
	IAT   time.Time
}

// Request is what the proof must name.
type Request struct {
	Method string
	URL    string // the endpoint, without query or fragment
	// AccessToken, when the proof accompanies one, must be hashed in ath.
	AccessToken string
}

type claims struct {
	JTI   string   `json:"jti"`
	HTM   string   `json:"htm"`
	HTU   string   `json:"htu"`
	IAT   *float64 `json:"iat"`
	ATH   string   `json:"ath"`
	Nonce string   `json:"nonce"`
}

// Check verifies proof for req at now. Its errors are worded for the
// error_description of invalid_dpop_proof.
func Check(proof string, req Request, now time.Time) (Proof, error) {
	if proof == "" || len(proof) > maxProofLen {
		return Proof{}, errors.New("the DPoP proof is missing or too long")
	}
	algs := make([]jose.SignatureAlgorithm, len(Algs))
	for i, a := range Algs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSigned(proof, algs)
	if err != nil || len(jws.Signatures) != 1 || strings.Count(proof, ".") != 2 {
		return Proof{}, errors.New("the DPoP proof is not a compact JWS signed with a supported algorithm")
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" {
		return Proof{}, errors.New("the DPoP proof's typ must be dpop+jwt")
	}
	jwk := h.JSONWebKey
	if jwk == nil || !jwk.Valid() || !jwk.IsPublic() {
		return Proof{}, errors.New("the DPoP proof's jwk header must hold a public key")
	}
	payload, err := jws.Verify(jwk)
	if err != nil {
		return Proof{}, errors.New("the DPoP proof's signature does not verify under its jwk")
	}
	c, err := decode(payload)
	if err != nil {
		return Proof{}, err
	}
	if err := c.matches(req, now); err != nil {
		return Proof{}, err
	}
	jkt, err := Thumbprint(jwk)
	if err != nil {
		return Proof{}, err
	}
	return Proof{JKT: jkt, JTI: c.JTI, Nonce: c.Nonce, IAT: seconds(*c.IAT)}, nil
}

func decode(payload []byte) (claims, error) {
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, errors.New("the DPoP proof's claims cannot be read")
	}
	switch {
	case c.JTI == "" || len(c.JTI) > maxJTILen:
		return c, errors.New("the DPoP proof's jti is missing or too long")
	case c.IAT == nil:
		return c, errors.New("the DPoP proof has no iat")
	}
	return c, nil
}

// matches checks htm, htu, iat and ath against the request.
func (c claims) matches(req Request, now time.Time) error {
	iat := seconds(*c.IAT)
	switch {
	case c.HTM != req.Method:
		return fmt.Errorf("the DPoP proof's htm must be %s", req.Method)
	case !sameURL(c.HTU, req.URL):
		return errors.New("the DPoP proof's htu must be this endpoint's URL")
	case now.Sub(iat) > MaxAge:
		return errors.New("the DPoP proof is too old (iat)")
	case iat.Sub(now) > Skew:
		return errors.New("the DPoP proof was issued in the future (iat)")
	case req.AccessToken != "" && c.ATH != TokenHash(req.AccessToken):
		return errors.New("the DPoP proof's ath is not the hash of this access token")
	case req.AccessToken == "" && c.ATH != "":
		return errors.New("the DPoP proof carries ath but no access token was sent")
	}
	return nil
}

// sameURL compares htu with the endpoint as RFC 9449 §4.3 says: without
// query and fragment, scheme and host case-insensitively.
func sameURL(htu, want string) bool {
	u, err := url.Parse(htu)
	if err != nil || u.Opaque != "" || u.User != nil {
		return false
	}
	w, err := url.Parse(want)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, w.Scheme) && strings.EqualFold(u.Host, w.Host) && u.EscapedPath() == w.EscapedPath()
}

// Thumbprint is the JWK SHA-256 thumbprint (RFC 7638), base64url.
func Thumbprint(k *jose.JSONWebKey) (string, error) {
	b, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", errors.New("the DPoP proof's key has no thumbprint")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenHash is ath: base64url(SHA-256(access token)).
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func seconds(s float64) time.Time {
	return time.Unix(0, 0).Add(time.Duration(s * float64(time.Second))).UTC()
}
