package upstream

import (
	"errors"
	"slices"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

func TestMapClaims(t *testing.T) {
	raw := map[string]any{"iss": "https://idp.example", "sub": "u1", "mail": "Ada@Acme.example", "email_verified": "true",
		"email":   "ada@acme.example",
		"display": "Ada L", "roles": []any{"eng", 7, " ops "}, "preferred_username": "ada@acme.example", "upn": "not-an-email"}
	c := MapClaims(raw, model.ClaimMapping{Email: "mail", Name: "display", Groups: "roles"}, nil)
	if c.Email != "Ada@Acme.example" || !c.EmailVerified || c.Name != "Ada L" || c.Subject != "u1" ||
		!slices.Equal(c.Groups, []string{"eng", "ops"}) {
		t.Fatalf("mapped %+v", c)
	}
	// Fallbacks only when configured, in order, and only address-shaped;
	// a fallback address is never verified.
	delete(raw, "mail")
	delete(raw, "email")
	if c := MapClaims(raw, model.ClaimMapping{Email: "mail"}, nil); c.Email != "" {
		t.Fatalf("unconfigured fallback used: %q", c.Email)
	}
	if c := MapClaims(raw, model.ClaimMapping{Email: "mail"}, []string{"upn", "preferred_username"}); c.Email != "ada@acme.example" || c.EmailVerified {
		t.Fatalf("fallback: %+v", c)
	}
	if c := MapClaims(map[string]any{"groups": "solo"}, model.ClaimMapping{Groups: "groups"}, nil); !slices.Equal(c.Groups, []string{"solo"}) {
		t.Fatalf("single group: %v", c.Groups)
	}
}

func TestMissing(t *testing.T) {
	m := model.ClaimMapping{Groups: "groups"}
	if !Missing(map[string]any{"email": "a@b.example", "name": "A"}, m) {
		t.Fatal("missing groups not noticed")
	}
	if Missing(map[string]any{"email": "a@b.example", "name": "A", "groups": []any{}}, m) {
		t.Fatal("complete claims reported missing")
	}
	if !Missing(map[string]any{"name": "A"}, model.ClaimMapping{}) {
		t.Fatal("missing email not noticed")
	}
}

func TestKindOf(t *testing.T) {
	if KindOf(Errorf(Denied, "x")) != Denied || KindOf(errors.New("other")) != Invalid {
		t.Fatal("kinds")
	}
}

// TestEmailVerified: the provider vouches for an address only with the
// boolean true (or exactly "true") and only for the address its email
// claim holds.
func TestEmailVerified(t *testing.T) {
	for _, tc := range []struct {
		name    string
		raw     map[string]any
		mapping model.ClaimMapping
		want    bool
	}{
		{"boolean true", map[string]any{"email": "a@x.example", "email_verified": true}, model.ClaimMapping{}, true},
		{"string true", map[string]any{"email": "a@x.example", "email_verified": "true"}, model.ClaimMapping{}, true},
		{"boolean false", map[string]any{"email": "a@x.example", "email_verified": false}, model.ClaimMapping{}, false},
		{"absent", map[string]any{"email": "a@x.example"}, model.ClaimMapping{}, false},
		{"capitalised string", map[string]any{"email": "a@x.example", "email_verified": "True"}, model.ClaimMapping{}, false},
		{"string 1", map[string]any{"email": "a@x.example", "email_verified": "1"}, model.ClaimMapping{}, false},
		{"number 1", map[string]any{"email": "a@x.example", "email_verified": 1.0}, model.ClaimMapping{}, false},
		{"string yes", map[string]any{"email": "a@x.example", "email_verified": "yes"}, model.ClaimMapping{}, false},
		{"list", map[string]any{"email": "a@x.example", "email_verified": []any{true}}, model.ClaimMapping{}, false},
		{"mapped claim agrees", map[string]any{"mail": "A@x.example", "email": "a@X.example", "email_verified": true},
			model.ClaimMapping{Email: "mail"}, true},
		{"mapped claim differs", map[string]any{"mail": "boss@x.example", "email": "a@x.example", "email_verified": true},
			model.ClaimMapping{Email: "mail"}, false},
		{"mapped claim, no email", map[string]any{"mail": "a@x.example", "email_verified": true},
			model.ClaimMapping{Email: "mail"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MapClaims(tc.raw, tc.mapping, nil).EmailVerified; got != tc.want {
				t.Fatalf("EmailVerified = %v, want %v", got, tc.want)
			}
		})
	}
}
