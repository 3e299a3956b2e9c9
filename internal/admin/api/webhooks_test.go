package api_test

import (
	"net/http"
	"strings"
	"testing"
)

type webhookEndpoint struct {
	ID       string   `json:"id"`
	URL      string   `json:"url"`
	Events   []string `json:"events"`
	Disabled bool     `json:"disabled"`
	Secret   string   `json:"secret"`
}

type webhookDelivery struct {
	ID        string `json:"id"`
	EventType string `json:"event_type"`
	MemberID  string `json:"member_id"`
	WebhookID string `json:"webhook_id"`
	Status    string `json:"status"`
}

// TestWebhooksAPI: endpoints are managed as from the CLI (the secret only
// in the answers that make one); a member's status change made through
// the API is queued for the endpoint that wants it and listed among its
// deliveries; one can be sent again with the same webhook-id; unknown ids
// are 404s in the API's error form and bad input a 400 that stores nothing.
func TestWebhooksAPI(t *testing.T) {
	_, c := start(t)
	var e webhookEndpoint
	c.want(http.StatusCreated, &e, "POST", "/api/v1/webhooks", map[string]any{"url": "https://lms.example/hooks",
		"events": []string{"member.status_changed"}})
	if !strings.HasPrefix(e.Secret, "whsec_") || strings.Join(e.Events, ",") != "member.status_changed" {
		t.Fatalf("created %+v", e)
	}
	var got webhookEndpoint
	c.want(http.StatusOK, &got, "GET", "/api/v1/webhooks/"+e.ID, nil)
	if got.Secret != "" || got.URL != e.URL {
		t.Fatalf("get %+v", got)
	}
	var rotated webhookEndpoint
	c.want(http.StatusOK, &rotated, "POST", "/api/v1/webhooks/"+e.ID+"/rotate-secret", map[string]string{"overlap": "1h"})
	if !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == e.Secret {
		t.Fatalf("rotated %+v", rotated)
	}

	var m member
	c.want(http.StatusCreated, &m, "POST", "/api/v1/members", map[string]any{"email": "ada@example.org", "name": "Ada"})
	c.want(http.StatusOK, nil, "PUT", "/api/v1/members/"+m.ID+"/status", map[string]string{"status": "expired"})
	var list struct {
		Items []webhookDelivery `json:"items"`
		Next  string            `json:"next"`
	}
	c.want(http.StatusOK, &list, "GET", "/api/v1/webhooks/"+e.ID+"/deliveries", nil)
	if len(list.Items) != 1 || list.Items[0].EventType != "member.status_changed" || list.Items[0].MemberID != m.ID {
		t.Fatalf("deliveries %+v", list)
	}
	d := list.Items[0]
	var again webhookDelivery
	c.want(http.StatusCreated, &again, "POST", "/api/v1/webhooks/"+e.ID+"/deliveries/"+d.ID+"/redeliver", nil)
	if again.ID == d.ID || again.WebhookID != d.WebhookID || again.EventType != d.EventType {
		t.Fatalf("redelivered %+v, was %+v", again, d)
	}

	c.wantError(http.StatusNotFound, "not_found", "POST", "/api/v1/webhooks/"+e.ID+"/deliveries/999999/redeliver", nil)
	c.wantError(http.StatusNotFound, "not_found", "GET", "/api/v1/webhooks/nope/deliveries", nil)
	c.wantError(http.StatusBadRequest, "invalid_input", "GET", "/api/v1/webhooks/"+e.ID+"/deliveries?limit=0", nil)
	c.wantError(http.StatusBadRequest, "invalid_input", "GET", "/api/v1/webhooks/"+e.ID+"/deliveries?after=x", nil)
	c.wantError(http.StatusBadRequest, "invalid_input", "POST", "/api/v1/webhooks", map[string]any{"url": "http://lms.example/"})
	c.wantError(http.StatusBadRequest, "invalid_input", "POST", "/api/v1/webhooks", map[string]any{"url": "https://a.example/",
		"events": []string{"member.exploded"}})
	var all struct {
		Items []webhookEndpoint `json:"items"`
	}
	c.want(http.StatusOK, &all, "GET", "/api/v1/webhooks", nil)
	if len(all.Items) != 1 || all.Items[0].Secret != "" {
		t.Fatalf("list %+v", all)
	}
	c.want(http.StatusOK, nil, "POST", "/api/v1/webhooks/"+e.ID+"/enable", nil)
	c.want(http.StatusNoContent, nil, "DELETE", "/api/v1/webhooks/"+e.ID, nil)
	c.wantError(http.StatusNotFound, "not_found", "GET", "/api/v1/webhooks/"+e.ID, nil)
}
