package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var webhookTests = []testCase{
	{"WebhookEndpoints/RoundTrip", testWebhookRoundTrip},
}

func testWebhookRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	e := model.WebhookEndpoint{ID: newID(), TenantID: tn.ID, URL: "https://lms.example/hooks",
		Events:    []string{model.EventMemberDisabled, model.EventMemberDeleted},
		Secrets:   []model.ClientSecret{{Ciphertext: "v1.k1.bmV3", CreatedAt: t0}, {Ciphertext: "v1.k1.b2xk", CreatedAt: t0.Add(-time.Hour), ExpiresAt: t0.Add(time.Hour)}},
		CreatedAt: t0, UpdatedAt: t0}
	ok(t, s.WebhookEndpoints().Create(ctx, e))
	wantErr(t, s.WebhookEndpoints().Create(ctx, e), model.ErrConflict)
	bad := e
	bad.TenantID = "missing"
	wantErr(t, s.WebhookEndpoints().Create(ctx, bad), model.ErrNotFound)
	got, err := s.WebhookEndpoints().Get(ctx, tn.ID, e.ID)
	ok(t, err)
	equal(t, got, e)
	_, err = s.WebhookEndpoints().Get(ctx, other.ID, e.ID)
	wantErr(t, err, model.ErrNotFound)

	second := e
	second.ID, second.CreatedAt, second.Secrets = newID(), t0.Add(time.Second), nil
	ok(t, s.WebhookEndpoints().Create(ctx, second))
	list, err := s.WebhookEndpoints().List(ctx, tn.ID)
	ok(t, err)
	equal(t, list, []model.WebhookEndpoint{e, second})
	list, err = s.WebhookEndpoints().List(ctx, other.ID)
	ok(t, err)
	equal(t, len(list), 0)

	updated, err := s.WebhookEndpoints().Update(ctx, tn.ID, e.ID, func(e model.WebhookEndpoint) (model.WebhookEndpoint, error) {
		e.Disabled, e.DisabledReason, e.Events, e.UpdatedAt = true, "deliveries failed for 3 days", []string{model.EventMemberCreated}, t0.Add(time.Minute)
		return e, nil
	})
	ok(t, err)
	got, err = s.WebhookEndpoints().Get(ctx, tn.ID, e.ID)
	ok(t, err)
	equal(t, got, updated)
	_, err = s.WebhookEndpoints().Update(ctx, tn.ID, e.ID, func(e model.WebhookEndpoint) (model.WebhookEndpoint, error) {
		return e, errBoom
	})
	wantErr(t, err, errBoom)
	_, err = s.WebhookEndpoints().Update(ctx, other.ID, e.ID, func(e model.WebhookEndpoint) (model.WebhookEndpoint, error) {
		return e, nil
	})
	wantErr(t, err, model.ErrNotFound)

	ok(t, s.WebhookEndpoints().Delete(ctx, tn.ID, e.ID))
	wantErr(t, s.WebhookEndpoints().Delete(ctx, tn.ID, e.ID), model.ErrNotFound)
}
