package views

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

var updateWebhook = flag.Bool("update-webhook", false, "rewrite testdata/webhook.golden.json")

// TestWebhookEndpointGolden pins the webhook endpoint JSON the CLI prints:
// no secret but the one just made, lists [] rather than null, how many
// secrets sign now. Run with -update-webhook after a deliberate change.
func TestWebhookEndpointGolden(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e := model.WebhookEndpoint{ID: "w1", URL: "https://lms.example/hooks", Events: []string{model.EventMemberDisabled},
		Secrets: []model.ClientSecret{{Ciphertext: "v1.k1.bmV3", CreatedAt: at},
			{Ciphertext: "v1.k1.b2xk", CreatedAt: at.Add(-time.Hour), ExpiresAt: at.Add(24 * time.Hour)},
			{Ciphertext: "v1.k1.ZGVhZA", CreatedAt: at.Add(-2 * time.Hour), ExpiresAt: at}},
		CreatedAt: at.Add(-2 * time.Hour), UpdatedAt: at}
	off := model.WebhookEndpoint{ID: "w2", URL: "https://crm.example/in", Disabled: true,
		DisabledReason: "deliveries failed for 3 days", CreatedAt: at, UpdatedAt: at}
	got, err := json.MarshalIndent([]WebhookEndpoint{WebhookEndpointOf(e, at, "whsec_c2VjcmV0"), WebhookEndpointOf(off, at, "")}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/webhook.golden.json"
	if *updateWebhook {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Fatalf("webhook JSON differs from %s (run with -update-webhook if intended):\n%s", golden, got)
	}
}
