package webhooks

import (
	"strings"
	"testing"
	"time"
)

// TestSignVector: the Standard Webhooks specification's test vector (its
// reference libraries' TestWebhookSign).
func TestSignVector(t *testing.T) {
	key, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`), key)
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

// TestSignSeveralKeys: one signature per key, space-separated, each the
// one that key alone gives.
func TestSignSeveralKeys(t *testing.T) {
	a, _ := ParseSecret(NewSecret())
	b, _ := ParseSecret(NewSecret())
	at, body := time.Unix(1700000000, 0), []byte(`{"type":"member.disabled"}`)
	both := Sign("msg_1", at, body, a, b)
	if both != Sign("msg_1", at, body, a)+" "+Sign("msg_1", at, body, b) {
		t.Fatalf("two keys: %s", both)
	}
	if Sign("msg_2", at, body, a) == Sign("msg_1", at, body, a) || Sign("msg_1", at.Add(time.Second), body, a) == Sign("msg_1", at, body, a) {
		t.Fatal("the id and the timestamp are not signed")
	}
}

func TestSecrets(t *testing.T) {
	s := NewSecret()
	key, err := ParseSecret(s)
	if err != nil || len(key) != secretBytes || !strings.HasPrefix(s, "whsec_") || NewSecret() == s {
		t.Fatalf("secret %q: %v", s, err)
	}
	for _, bad := range []string{"", "whsec_", "whsec_!!", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
		if _, err := ParseSecret(bad); err == nil {
			t.Fatalf("ParseSecret(%q) accepted", bad)
		}
	}
}
