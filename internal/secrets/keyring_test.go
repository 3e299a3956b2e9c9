package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustKeyring(t *testing.T, primary []byte, older ...[]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(primary, older...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var ad = AssociatedData("clients", "tenant-1", "client-1", "secret")

func TestRoundTrip(t *testing.T) {
	k := mustKeyring(t, testKey(1))
	for _, plaintext := range [][]byte{[]byte("s3cret"), {}, bytes.Repeat([]byte{0xff}, 10000)} {
		sealed, err := k.Encrypt(plaintext, ad)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "v1."+k.PrimaryID()+".") {
			t.Errorf("sealed value %.30q lacks its version and key id", sealed)
		}
		if len(plaintext) > 0 && strings.Contains(sealed, base64.RawURLEncoding.EncodeToString(plaintext)) {
			t.Error("plaintext visible in sealed value")
		}
		got, err := k.Decrypt(sealed, ad)
		if err != nil || !bytes.Equal(got, plaintext) {
			t.Errorf("Decrypt = %q, %v", got, err)
		}
	}
}

func TestEncryptionsDiffer(t *testing.T) {
	k := mustKeyring(t, testKey(1))
	a, _ := k.Encrypt([]byte("same"), ad)
	b, _ := k.Encrypt([]byte("same"), ad)
	if a == b {
		t.Fatal("two encryptions of the same plaintext are equal: nonce reused")
	}
}

func TestEncryptRequiresAssociatedData(t *testing.T) {
	k := mustKeyring(t, testKey(1))
	if _, err := k.Encrypt([]byte("x"), nil); err == nil {
		t.Fatal("sealed a value bound to nothing")
	}
}

// TestTamper flips every bit of every byte of the payload, and every byte of
// the header, and expects each to fail.
func TestTamper(t *testing.T) {
	k := mustKeyring(t, testKey(1))
	sealed, _ := k.Encrypt([]byte("client secret"), ad)
	prefix, payload, _ := cutLast(sealed)
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	for i := range raw {
		for bit := 0; bit < 8; bit++ {
			mod := bytes.Clone(raw)
			mod[i] ^= 1 << bit
			if _, err := k.Decrypt(prefix+base64.RawURLEncoding.EncodeToString(mod), ad); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("byte %d bit %d flipped: err = %v", i, bit, err)
			}
		}
	}
	for i := 0; i < len(prefix); i++ {
		mod := []byte(sealed)
		mod[i] ^= 0x01
		if _, err := k.Decrypt(string(mod), ad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("header byte %d flipped: err = %v", i, err)
		}
	}
}

func cutLast(s string) (prefix, payload string, ok bool) {
	i := strings.LastIndexByte(s, '.')
	return s[:i+1], s[i+1:], i >= 0
}

func TestMalformed(t *testing.T) {
	k := mustKeyring(t, testKey(1))
	sealed, _ := k.Encrypt([]byte("x"), ad)
	id := k.PrimaryID()
	for _, s := range []string{
		"", "v1", "v1..", "v1." + id, "v2" + sealed[2:], "V1" + sealed[2:], sealed + ".x", sealed + "=",
		"v1." + id + ".", "v1." + id + ".AA", "v1." + id + ".!!!", "v1.short." + sealed[len("v1.")+9:],
		sealed[:len(sealed)-1], "plaintext-secret",
	} {
		if _, err := k.Decrypt(s, ad); !errors.Is(err, ErrDecrypt) {
			t.Errorf("Decrypt(%q) err = %v, want ErrDecrypt", s, err)
		}
	}
}

func TestWrongAssociatedData(t *testing.T) {
	k := mustKeyring(t, testKey(1))
	sealed, _ := k.Encrypt([]byte("x"), ad)
	for _, other := range [][]byte{
		AssociatedData("clients", "tenant-2", "client-1", "secret"),
		AssociatedData("clients", "tenant-1", "client-2", "secret"),
		AssociatedData("connections", "tenant-1", "client-1", "secret"),
		AssociatedData("clients", "tenant-1", "client-1", "secret", ""),
		nil,
	} {
		if _, err := k.Decrypt(sealed, other); !errors.Is(err, ErrDecrypt) {
			t.Errorf("decrypted with associated data %q", other)
		}
	}
}

func TestAssociatedDataIsUnambiguous(t *testing.T) {
	if bytes.Equal(AssociatedData("ab", "c"), AssociatedData("a", "bc")) ||
		bytes.Equal(AssociatedData("a", ""), AssociatedData("a")) {
		t.Fatal("different parts give the same associated data")
	}
}

func TestWrongKey(t *testing.T) {
	sealed, _ := mustKeyring(t, testKey(1)).Encrypt([]byte("x"), ad)
	_, err := mustKeyring(t, testKey(2)).Decrypt(sealed, ad)
	if !errors.Is(err, ErrDecrypt) || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("err = %v", err)
	}
	// Same key id, different key: only possible by forging the header.
	forged := "v1." + KeyID(testKey(2)) + sealed[len("v1.")+8:]
	if _, err := mustKeyring(t, testKey(2)).Decrypt(forged, ad); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("forged key id decrypted: %v", err)
	}
}

func TestRotation(t *testing.T) {
	old := mustKeyring(t, testKey(1))
	oldSealed, _ := old.Encrypt([]byte("before"), ad)

	rotated := mustKeyring(t, testKey(2), testKey(1))
	if got, err := rotated.Decrypt(oldSealed, ad); err != nil || string(got) != "before" {
		t.Fatalf("old value after rotation: %q, %v", got, err)
	}
	newSealed, _ := rotated.Encrypt([]byte("after"), ad)
	if !strings.HasPrefix(newSealed, "v1."+KeyID(testKey(2))+".") {
		t.Errorf("new value not sealed with the new primary: %.20q", newSealed)
	}
	if !rotated.NeedsRotation(oldSealed) || rotated.NeedsRotation(newSealed) || rotated.NeedsRotation("junk") {
		t.Error("NeedsRotation gives wrong answers")
	}
	if _, err := old.Decrypt(newSealed, ad); !errors.Is(err, ErrDecrypt) {
		t.Error("a keyring without the new key decrypted a new value")
	}
}

func TestNewKeyringRefuses(t *testing.T) {
	tests := []struct {
		name    string
		primary []byte
		older   [][]byte
		want    string
	}{
		{"short key", make([]byte, 16), nil, "16 bytes"},
		{"long key", make([]byte, 64), nil, "64 bytes"},
		{"nil key", nil, nil, "0 bytes"},
		{"bad older key", testKey(1), [][]byte{make([]byte, 31)}, "master key 2 is 31 bytes"},
		{"duplicate", testKey(1), [][]byte{testKey(1)}, "listed twice"},
	}
	for _, tt := range tests {
		_, err := NewKeyring(tt.primary, tt.older...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestKeyringNeverPrintsKeys(t *testing.T) {
	key := testKey(0x41) // "AAAA…" in every encoding a leak might use
	k := mustKeyring(t, key)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, k)
		if strings.Contains(out, "AAAA") || strings.Contains(out, "QUFB") || strings.Contains(out, "4141") ||
			!strings.Contains(out, k.PrimaryID()) {
			t.Errorf("%s printed %q", format, out)
		}
	}
}

// TestHeaderIsAuthenticated: the version and key id are part of the GCM
// associated data, so a payload sealed under the same key by another format
// (or a future version) cannot be passed off as a v1 value.
func TestHeaderIsAuthenticated(t *testing.T) {
	key := testKey(1)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCMWithRandomNonce(block)
	foreign := aead.Seal(nil, nil, []byte("x"), ad)
	s := "v1." + KeyID(key) + "." + base64.RawURLEncoding.EncodeToString(foreign)
	if _, err := mustKeyring(t, key).Decrypt(s, ad); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("opened a payload whose header was not authenticated: %v", err)
	}
}
