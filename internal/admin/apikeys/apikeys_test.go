package apikeys

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*Service, store.Store, []string) {
	st := storetest.NewSQLite(t)
	var tenants []string
	for _, slug := range []string{"alpha", "beta"} {
		tn := model.Tenant{ID: "t-" + slug, Slug: slug, Name: slug, Issuer: "https://" + slug + ".example",
			CreatedAt: clock, UpdatedAt: clock}
		if err := st.Tenants().Create(t.Context(), tn); err != nil {
			t.Fatal(err)
		}
		tenants = append(tenants, tn.ID)
	}
	return &Service{Store: st.APIKeys(), Audit: st.Audit(), Now: func() time.Time { return clock }}, st, tenants
}

func TestCreateAuthenticateRevoke(t *testing.T) {
	s, st, tenants := newService(t)
	ctx := t.Context()
	k, secret, err := s.Create(ctx, "cli", tenants[0], "  nightly sync ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "gga_") || len(secret) != keyLen || k.Name != "nightly sync" ||
		!strings.HasPrefix(secret, k.Prefix) || len(k.Prefix) != 8 || strings.Contains(k.Hash, secret) {
		t.Fatalf("key %+v, secret %q", k, secret)
	}
	got, err := s.Authenticate(ctx, tenants[0], secret)
	if err != nil || got.ID != k.ID {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	// The same key at another tenant's host is unknown there.
	if _, err := s.Authenticate(ctx, tenants[1], secret); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("other tenant: %v", err)
	}
	// The last character changed to another one, never to itself.
	flipped := secret[:len(secret)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(secret, "A")]
	for _, bad := range []string{"", "gga_", secret[:len(secret)-1], "xxx_" + secret[4:], flipped} {
		if _, err := s.Authenticate(ctx, tenants[0], bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Authenticate(%q) = %v", bad, err)
		}
	}
	if err := s.Revoke(ctx, "cli", tenants[0], k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tenants[0], secret); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("revoked key authenticated: %v", err)
	}
	if _, ok := errors.AsType[*problem.NotFound](s.Revoke(ctx, "cli", tenants[1], k.ID)); !ok {
		t.Fatal("revoking another tenant's key did not say not found")
	}
	p, err := st.Audit().List(ctx, tenants[0], store.AuditQuery{})
	if err != nil || len(p.Items) != 2 || p.Items[0].Action != "apikey.revoke" || p.Items[1].Action != "apikey.create" ||
		p.Items[1].Target != "apikey:"+k.ID {
		t.Fatalf("audit = %+v, %v", p.Items, err)
	}
	for _, e := range p.Items {
		for _, v := range e.Detail {
			if strings.Contains(v, secret[4:]) {
				t.Fatal("audit detail holds the key")
			}
		}
	}
}

func TestCreateRefusesBadNames(t *testing.T) {
	s, _, tenants := newService(t)
	for _, name := range []string{"", "   ", strings.Repeat("n", 101), "a\nb"} {
		if _, _, err := s.Create(t.Context(), "cli", tenants[0], name); !isInvalid(err) {
			t.Errorf("Create(%q) = %v, want invalid input", name, err)
		}
	}
	if ks, _ := s.List(t.Context(), tenants[0]); len(ks) != 0 {
		t.Fatalf("keys stored: %+v", ks)
	}
}

func isInvalid(err error) bool {
	_, ok := errors.AsType[*problem.Invalid](err)
	return ok
}
