package oidc

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
)

// FuzzOpenResume: a gg_resume value from a request never panics the
// server, and only a marker this key sealed for this request opens. (Each
// fuzz worker seals its own: the property is what opens, not which bytes.)
func FuzzOpenResume(f *testing.F) {
	keyring, err := secrets.NewKeyring(bytes.Repeat([]byte{3}, secrets.KeySize))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_770_000_000, 0).UTC()
	p := &Provider{Secrets: keyring, Now: func() time.Time { return now }}
	tn := model.Tenant{ID: "t1"}
	params := url.Values{"client_id": {"c1"}, "prompt": {"login"}}
	next, err := p.authToLogin(tn, &authRequest{params: params}, "sess", true, "")
	if err != nil {
		f.Fatal(err)
	}
	login, _ := url.Parse(next.login)
	resumed, _ := url.ParseQuery(strings.TrimPrefix(login.Query().Get("return_to"), PathAuthorize+"?"))
	genuine := resumed.Get(authResumeParam)
	for _, s := range []string{genuine, "", "1.x", "v1.AAAAAAAA.AAAA", "v1..", genuine[:len(genuine)-1], genuine + "A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, marker string) {
		if checkAuthResume(marker) != nil {
			return
		}
		v := url.Values{"client_id": {"c1"}, "prompt": {"login"}, authResumeParam: {marker}}
		r, err := p.openResume(tn, v, now)
		if err == nil && !r.At.IsZero() && (r.SessionID != "sess" || !r.At.Equal(now) || r.ID == "") {
			t.Fatalf("a marker we never sealed opened: %q -> %+v", marker, r)
		}
	})
}
