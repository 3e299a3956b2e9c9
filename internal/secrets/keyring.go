package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the master key length: 32 bytes selects AES-256.
const KeySize = 32

// version prefixes every sealed value so the format can change later
// without guessing what an old value is.
const version = "v1"

// ErrDecrypt is wrapped by every Decrypt failure. The wrapping message says
// which check failed; none of them includes the value or any key material.
var ErrDecrypt = errors.New("secrets: cannot decrypt")

// Keyring holds the master keys: a primary that seals new values, and older
// keys kept so values sealed before a rotation still open. Only the AES key
// schedules are kept, never the raw key bytes; a Keyring is safe for
// concurrent use.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
	order   []string // primary first, for String
}

// NewKeyring builds a keyring from 32-byte master keys, the first being the
// primary. Key ids are derived from the keys, so nothing besides the keys
// has to be stored or configured.
func NewKeyring(primary []byte, older ...[]byte) (*Keyring, error) {
	k := &Keyring{aeads: make(map[string]cipher.AEAD)}
	for i, key := range append([][]byte{primary}, older...) {
		if len(key) != KeySize {
			return nil, fmt.Errorf("secrets: master key %d is %d bytes; want %d", i+1, len(key), KeySize)
		}
		id := KeyID(key)
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("secrets: master key %d is listed twice", i+1)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("secrets: master key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("secrets: master key %d: %w", i+1, err)
		}
		k.aeads[id] = aead
		k.order = append(k.order, id)
	}
	k.primary = k.order[0]
	return k, nil
}

// KeyID names a master key: 8 base64url characters of an HMAC of a fixed
// label under the key. It identifies the key in sealed values and logs while
// revealing nothing usable about it.
func KeyID(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("guildgate master key id"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))[:8]
}

// PrimaryID returns the id of the key that seals new values.
func (k *Keyring) PrimaryID() string { return k.primary }

// String describes the keyring by key ids only, so that printing one by
// mistake (%v, %+v, a debug log) cannot show key material.
func (k *Keyring) String() string {
	if k == nil {
		return "secrets.Keyring(nil)"
	}
	return "secrets.Keyring{primary: " + k.primary + ", keys: [" + strings.Join(k.order, " ") + "]}"
}

// GoString keeps %#v as safe as %v.
func (k *Keyring) GoString() string { return k.String() }

// Encrypt seals plaintext with the primary key under a fresh random 96-bit
// nonce, so equal plaintexts give unequal ciphertexts. associatedData must
// name the value's place (see AssociatedData) and is required: an unbound
// ciphertext could be moved between rows unnoticed.
func (k *Keyring) Encrypt(plaintext, associatedData []byte) (string, error) {
	if len(associatedData) == 0 {
		return "", errors.New("secrets: associated data is required to bind the value to its row")
	}
	sealed := k.aeads[k.primary].Seal(nil, nil, plaintext, header(k.primary, associatedData))
	return version + "." + k.primary + "." + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a value sealed by Encrypt with the same associated data,
// using whichever keyring key sealed it.
func (k *Keyring) Decrypt(s string, associatedData []byte) ([]byte, error) {
	id, sealed, err := split(s)
	if err != nil {
		return nil, err
	}
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w: sealed with master key %s, which is not configured", ErrDecrypt, id)
	}
	plaintext, err := aead.Open(nil, nil, sealed, header(id, associatedData))
	if err != nil {
		return nil, fmt.Errorf("%w: value was tampered with, or belongs to another row or field", ErrDecrypt)
	}
	return plaintext, nil
}

// NeedsRotation reports whether s was sealed with a key other than the
// primary, so a background job can re-encrypt it and the old key can
// eventually be retired.
func (k *Keyring) NeedsRotation(s string) bool {
	id, _, err := split(s)
	return err == nil && id != k.primary
}

// split parses "v1.<id>.<payload>".
func split(s string) (id string, sealed []byte, err error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] != version {
		return "", nil, fmt.Errorf("%w: not a %s sealed value", ErrDecrypt, version)
	}
	sealed, err = base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(parts[1]) != 8 {
		return "", nil, fmt.Errorf("%w: malformed sealed value", ErrDecrypt)
	}
	return parts[1], sealed, nil
}

// header is the GCM associated data: the value's version and key id as well
// as the caller's binding, so none of them can be altered undetected.
func header(id string, associatedData []byte) []byte {
	return append([]byte(version+"."+id+"."), associatedData...)
}

// AssociatedData joins the parts that identify a value's place, for example
// AssociatedData("clients", tenantID, clientID, "secret"). Each part is
// length-prefixed so that ("ab", "c") and ("a", "bc") differ.
func AssociatedData(parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}
