package webhooks

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*Service, *time.Time) {
	st := storetest.NewSQLite(t)
	for _, id := range []string{"t1", "t2"} {
		if err := st.Tenants().Create(t.Context(), model.Tenant{ID: id, Slug: id, Name: id, Issuer: "https://" + id + ".example",
			CreatedAt: clock, UpdatedAt: clock}); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	now := clock
	return &Service{Store: st.WebhookEndpoints(), Audit: st.Audit(), Secrets: keys, Now: func() time.Time { return now }}, &now
}

func TestAddShowsTheSecretOnceAndSealsIt(t *testing.T) {
	s, _ := newService(t)
	e, secret, err := s.Add(t.Context(), "cli", "t1", Input{URL: " https://lms.example/hooks ", Events: []string{
		model.EventMemberDeleted, model.EventMemberDisabled, model.EventMemberDeleted}})
	if err != nil {
		t.Fatal(err)
	}
	if e.URL != "https://lms.example/hooks" || !slices.Equal(e.Events, []string{model.EventMemberDisabled, model.EventMemberDeleted}) ||
		!strings.HasPrefix(secret, "whsec_") || len(e.Secrets) != 1 || strings.Contains(e.Secrets[0].Ciphertext, secret[6:]) {
		t.Fatalf("endpoint %+v, secret %q", e, secret)
	}
	keys, err := s.Keys(e, clock)
	want, _ := ParseSecret(secret)
	if err != nil || len(keys) != 1 || string(keys[0]) != string(want) {
		t.Fatalf("keys %v %v", keys, err)
	}
	all, _, err := s.Add(t.Context(), "cli", "t1", Input{URL: "https://crm.example/in"})
	if err != nil || !slices.Equal(all.Events, model.WebhookEvents) {
		t.Fatalf("no events means all: %+v %v", all, err)
	}
	// A ciphertext copied to another endpoint does not open there.
	all.Secrets = e.Secrets
	if _, err := s.Keys(all, clock); err == nil {
		t.Fatal("a secret opened under another endpoint")
	}
	if _, err := s.Get(t.Context(), "t2", e.ID); !isNotFound(err) {
		t.Fatalf("another tenant sees the endpoint: %v", err)
	}
}

func isNotFound(err error) bool { _, ok := errors.AsType[*problem.NotFound](err); return ok }

func TestAddRefusesBadInput(t *testing.T) {
	s, _ := newService(t)
	for _, in := range []Input{
		{URL: ""}, {URL: "http://lms.example/hooks"}, {URL: "lms.example/hooks"}, {URL: "https://"},
		{URL: "https://user:pw@lms.example/"}, {URL: "https://lms.example/#x"}, {URL: "https://lms.example/" + strings.Repeat("a", MaxURLLength)},
		{URL: "https://lms.example/", Events: []string{"member.exploded"}},
	} {
		if _, _, err := s.Add(t.Context(), "cli", "t1", in); err == nil {
			t.Fatalf("Add(%+v) accepted", in)
		} else if _, ok := errors.AsType[*problem.Invalid](err); !ok {
			t.Fatalf("Add(%+v): %v is not a problem list", in, err)
		}
	}
	if es, _ := s.List(t.Context(), "t1"); len(es) != 0 {
		t.Fatalf("refused input stored %+v", es)
	}
}

func TestRotateSecretOverlaps(t *testing.T) {
	s, now := newService(t)
	ctx := t.Context()
	e, first, err := s.Add(ctx, "cli", "t1", Input{URL: "https://lms.example/hooks"})
	if err != nil {
		t.Fatal(err)
	}
	*now = clock.Add(time.Hour)
	e, second, err := s.RotateSecret(ctx, "cli", "t1", e.ID, 24*time.Hour)
	if err != nil || second == first {
		t.Fatal(err)
	}
	k1, _ := ParseSecret(first)
	k2, _ := ParseSecret(second)
	keys, err := s.Keys(e, *now)
	if err != nil || len(keys) != 2 || string(keys[0]) != string(k2) || string(keys[1]) != string(k1) {
		t.Fatalf("during the overlap: %v %v", len(keys), err)
	}
	if keys, _ := s.Keys(e, clock.Add(25*time.Hour)); len(keys) != 1 || string(keys[0]) != string(k2) {
		t.Fatalf("after the overlap the old secret still signs (%d keys)", len(keys))
	}
	e, third, err := s.RotateSecret(ctx, "cli", "t1", e.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	k3, _ := ParseSecret(third)
	if keys, _ := s.Keys(e, *now); len(keys) != 1 || string(keys[0]) != string(k3) {
		t.Fatalf("overlap 0 left %d keys", len(keys))
	}
	for _, bad := range []time.Duration{-time.Second, MaxOverlap + time.Second} {
		if _, _, err := s.RotateSecret(ctx, "cli", "t1", e.ID, bad); err == nil {
			t.Fatalf("overlap %s accepted", bad)
		}
	}
	for range 3 {
		if e, _, err = s.RotateSecret(ctx, "cli", "t1", e.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.RotateSecret(ctx, "cli", "t1", e.ID, time.Hour); err == nil {
		t.Fatal("a fifth live secret was accepted")
	}
	if _, _, err := s.RotateSecret(ctx, "cli", "t1", "nope", 0); !isNotFound(err) {
		t.Fatalf("unknown endpoint: %v", err)
	}
	if err := s.Delete(ctx, "cli", "t1", e.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "cli", "t1", e.ID); !isNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}
