package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix marks a Standard Webhooks signing secret.
const SecretPrefix = "whsec_"

// The headers of a signed delivery.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// secretBytes is the key length: 256 bits, as HMAC-SHA256 wants.
const secretBytes = 32

// NewSecret returns a fresh signing secret in the form receivers' libraries
// take: "whsec_" and the base64 of the key.
func NewSecret() string {
	key := make([]byte, secretBytes)
	_, _ = rand.Read(key) // crypto/rand never fails (Go 1.24+)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParseSecret returns the key of a "whsec_…" secret.
func ParseSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || !strings.HasPrefix(secret, SecretPrefix) || len(key) == 0 {
		return nil, errors.New("webhooks: not a whsec_ secret")
	}
	return key, nil
}

// Sign returns the webhook-signature header of a delivery (Standard
// Webhooks, "Signature scheme"): for each key, "v1," and the base64 of
// HMAC-SHA256 over "<id>.<timestamp>.<body>", separated by spaces, so a
// receiver holding any of the keys (during a rotation's overlap, the old
// one or the new) can check it.
func Sign(id string, at time.Time, body []byte, keys ...[]byte) string {
	sigs := make([]string, len(keys))
	for i, key := range keys {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id + "." + strconv.FormatInt(at.Unix(), 10) + "."))
		mac.Write(body)
		sigs[i] = "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	}
	return strings.Join(sigs, " ")
}
