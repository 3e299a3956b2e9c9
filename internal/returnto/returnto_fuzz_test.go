package returnto

import (
	"net/url"
	"testing"
)

// FuzzSafe: return_to comes from a URL anyone can craft; whatever
// it holds, the browser is sent to a page of this site and nowhere else.
func FuzzSafe(f *testing.F) {
	for _, s := range []string{"/account/", "//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example/",
		"/oauth/authorize?x=1#f", "/%2F%2Fevil.example", "/\u2028//evil", "\xff", "", "/a/../..//evil.example"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://sso.example.org/login")
	f.Fuzz(func(t *testing.T, raw string) {
		got := Safe(raw)
		if got != raw && got != Default {
			t.Fatalf("%q became %q", raw, got)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q: unparseable %q", raw, got)
		}
		if dest := base.ResolveReference(u); dest.Host != base.Host || dest.Scheme != base.Scheme || dest.User != nil {
			t.Fatalf("%q leads to %s", raw, dest)
		}
	})
}
