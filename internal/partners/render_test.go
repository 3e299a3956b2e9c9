package partners_test

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/partners"
)

// TestRender: every value lands where the template says; without a CA file
// the CA lines are left out; a value that could break out of its place in
// Apache's or TOML's syntax is refused, whichever field holds it.
func TestRender(t *testing.T) {
	for _, rp := range partners.All() {
		v := partners.Example(rp)
		v.CAFile = ""
		conf, err := rp.Render(v)
		if err != nil {
			t.Fatalf("%s: %v", rp.Slug, err)
		}
		for _, want := range []string{v.Issuer, v.ClientID, v.ClientSecret, v.Passphrase, rp.CallbackPath} {
			if !strings.Contains(conf, want) {
				t.Errorf("%s: %q missing from\n%s", rp.Slug, want, conf)
			}
		}
		if strings.Contains(conf, "guildgate-ca") || strings.Contains(strings.ToLower(conf), "ca_files") || strings.Contains(conf, "CABundle") {
			t.Errorf("%s: CA lines without a CA file:\n%s", rp.Slug, conf)
		}
		for _, bad := range []string{"a\nOIDCSSLValidateServer Off", `x" ssl_insecure_skip_verify = true "`, "a b", `a\b`, "a'b", "<Location>", "x#y"} {
			edits := []func(*partners.Values){
				func(v *partners.Values) { v.ClientID = bad }, func(v *partners.Values) { v.ClientSecret = bad },
				func(v *partners.Values) { v.RedirectURI += bad }, func(v *partners.Values) { v.Issuer += bad },
				func(v *partners.Values) { v.CAFile = bad }, func(v *partners.Values) { v.Upstream = bad },
			}
			for i, edit := range edits {
				v := partners.Example(rp)
				edit(&v)
				if out, err := rp.Render(v); err == nil {
					t.Errorf("%s: value %q in field %d rendered:\n%s", rp.Slug, bad, i, out)
				}
			}
		}
	}
}

func TestLookup(t *testing.T) {
	for _, rp := range partners.All() {
		if got, ok := partners.Lookup(rp.Slug); !ok || got.Name != rp.Name {
			t.Errorf("Lookup(%q) = %v, %v", rp.Slug, got.Name, ok)
		}
	}
	if _, ok := partners.Lookup("../etc"); ok {
		t.Error("Lookup found an unknown slug")
	}
}
