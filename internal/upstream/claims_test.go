package upstream

import (
	"errors"
	"slices"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

func TestMapClaims(t *testing.T) {
	raw := map[string]any{"iss": "https://idp.example", "sub": "u1", "mail": "Ada@Acme.example", "email_verified": "true",
		"display": "Ada L", "roles": []any{"eng", 7, " ops "}, "preferred_username": "ada@acme.example", "upn": "not-an-email"}
	c := MapClaims(raw, model.ClaimMapping{Email: "mail", Name: "display", Groups: "roles"}, nil)
	if c.Email != "Ada@Acme.example" || !c.EmailVerified || c.Name != "Ada L" || c.Subject != "u1" ||
		!slices.Equal(c.Groups, []string{"eng", "ops"}) {
		t.Fatalf("mapped %+v", c)
	}
	// Fallbacks only when configured, in order, and only address-shaped;
	// a fallback address is never verified.
	delete(raw, "mail")
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
