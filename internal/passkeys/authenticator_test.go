package passkeys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// authenticator is a software WebAuthn authenticator and client in one, so
// the ceremonies can be driven, and bent, without a browser: each field
// below is what a test may change to forge a response.
type authenticator struct {
	t      *testing.T
	key    *ecdsa.PrivateKey
	id     []byte
	handle []byte // the user handle it stored at registration
	count  uint32 // the next signature counter it will send (then +1)
	origin string // what the "browser" puts in clientDataJSON
	rpID   string // what it hashes into authenticator data
	uv     bool   // whether it verifies the user
	backup bool   // backup eligible (a synced passkey)
}

const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagAT = 0x40
)

func newAuthenticator(t *testing.T, origin, rpID string) *authenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &authenticator{t: t, key: key, id: id, count: 1, origin: origin, rpID: rpID, uv: true}
}

var b64 = base64.RawURLEncoding

func (a *authenticator) credID() string { return b64.EncodeToString(a.id) }

func (a *authenticator) flags() byte {
	f := byte(flagUP)
	if a.uv {
		f |= flagUV
	}
	if a.backup {
		f |= flagBE
	}
	return f
}

func (a *authenticator) authData(extra byte, attested []byte) []byte {
	rp := sha256.Sum256([]byte(a.rpID))
	out := append(rp[:], a.flags()|extra)
	out = binary.BigEndian.AppendUint32(out, a.count)
	a.count++
	return append(out, attested...)
}

func (a *authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.origin, "crossOrigin": false})
	return b
}

// options reads the fields a client needs from a ceremony's options.
type options struct {
	Challenge string `json:"challenge"`
	User      struct {
		ID string `json:"id"`
	} `json:"user"`
	AllowCredentials []struct {
		ID string `json:"id"`
	} `json:"allowCredentials"`
}

func parseOptions(t *testing.T, raw []byte) options {
	t.Helper()
	var o options
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("options: %v\n%s", err, raw)
	}
	return o
}

// create answers registration options as navigator.credentials.create would.
func (a *authenticator) create(raw []byte) []byte {
	a.t.Helper()
	o := parseOptions(a.t, raw)
	handle, err := b64.DecodeString(o.User.ID)
	if err != nil {
		a.t.Fatalf("user id: %v", err)
	}
	a.handle = handle
	cose, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1, XCoord: a.key.X.FillBytes(make([]byte, 32)), YCoord: a.key.Y.FillBytes(make([]byte, 32))})
	if err != nil {
		a.t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(a.id)))
	attested = append(append(attested, a.id...), cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(flagAT, attested)})
	if err != nil {
		a.t.Fatal(err)
	}
	return a.encode(map[string]any{"clientDataJSON": b64.EncodeToString(a.clientData("webauthn.create", o.Challenge)),
		"attestationObject": b64.EncodeToString(att), "transports": []string{"internal"}})
}

// get answers sign-in options as navigator.credentials.get would.
func (a *authenticator) get(raw []byte) []byte {
	a.t.Helper()
	return a.sign(parseOptions(a.t, raw).Challenge)
}

func (a *authenticator) sign(challenge string) []byte {
	a.t.Helper()
	cd := a.clientData("webauthn.get", challenge)
	ad := a.authData(0, nil)
	h := sha256.Sum256(cd)
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, sha256Sum(append(append([]byte{}, ad...), h[:]...)))
	if err != nil {
		a.t.Fatal(err)
	}
	return a.encode(map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
		"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.handle)})
}

func sha256Sum(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

func (a *authenticator) encode(response map[string]any) []byte {
	attachment := "platform"
	b, err := json.Marshal(map[string]any{"id": a.credID(), "rawId": a.credID(), "type": "public-key",
		"authenticatorAttachment": attachment, "response": response, "clientExtensionResults": map[string]any{}})
	if err != nil {
		a.t.Fatal(err)
	}
	return b
}
