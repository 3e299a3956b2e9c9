package keys

import (
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
)

// TestCompactMatchesJose: the compact signer writes what go-jose's Signer
// writes for the same key and token type: the same bytes for RS256 and
// EdDSA (deterministic signatures), the same header and payload for ES256,
// whose signature go-jose verifies.
func TestCompactMatchesJose(t *testing.T) {
	payload := []byte(`{"iss":"https://id.example","sub":"a<b>&c","aud":["x"],"n":1}`)
	for _, alg := range []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA} {
		priv, err := generate(alg)
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range types {
			sk := jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: jose.JSONWebKey{Key: priv, KeyID: "kid-1"}}
			js, err := jose.NewSigner(sk, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
			if err != nil {
				t.Fatal(err)
			}
			jws, err := js.Sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := jws.CompactSerialize()
			c, err := newCompact(alg, "kid-1", typ, priv)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			if alg != model.AlgES256 && got != want {
				t.Errorf("%s %s:\n got %s\nwant %s", alg, typ, got, want)
			}
			if i, j := strings.LastIndexByte(got, '.'), strings.LastIndexByte(want, '.'); got[:i] != want[:j] {
				t.Errorf("%s %s: signing input %s, want %s", alg, typ, got[:i], want[:j])
			}
			parsed, err := jose.ParseSigned(got, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatalf("%s %s: %v", alg, typ, err)
			}
			out, err := parsed.Verify(priv.Public())
			if err != nil || string(out) != string(payload) {
				t.Errorf("%s %s: verify: %v %s", alg, typ, err, out)
			}
		}
	}
}

// TestCompactRefusesAnotherAlgorithm: a key signs only under the algorithm
// it is for; a header naming another one is refused, never signed.
func TestCompactRefusesAnotherAlgorithm(t *testing.T) {
	algs := []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA}
	for _, keyAlg := range algs {
		priv, err := generate(keyAlg)
		if err != nil {
			t.Fatal(err)
		}
		for _, headerAlg := range append(algs, "PS256", model.AlgHS256) {
			if headerAlg == keyAlg {
				continue
			}
			c, err := newCompact(headerAlg, "kid-1", types[0], priv)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := c.sign([]byte(`{}`)); err == nil {
				t.Errorf("a %s key signed under %s: %s", keyAlg, headerAlg, got)
			}
		}
	}
}
