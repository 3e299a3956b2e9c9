package oidc_test

import (
	"strconv"
	"testing"
	"time"
)

// TestAuthorizeResumeMarkerCannotVouch (audit finding 3): nothing a request
// carries can make a session count as fresh. A signed-in member's request
// with prompt=login or max_age=0 and a gg_resume the server did not seal
// for that very request is refused, never answered; a genuine marker
// vouches for the one sign-in it asked for, once, and for no other request.
func TestAuthorizeResumeMarkerCannotVouch(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	reauth := map[string][2]string{"prompt=login": {"prompt", "login"}, "max_age=0": {"max_age", "0"}}
	for _, p := range reauth {
		for _, forged := range []string{
			"1.x", // the old "<unix time>.<session tag>" marker
			strconv.FormatInt(time.Now().Unix()-3600, 10) + ".-",                               // ... naming no session
			"v1.AAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // sealed-looking
		} {
			v := e.params("code")
			v.Set(p[0], p[1])
			v.Set("gg_resume", forged)
			e.with(t).wantError(e.authorize(c, v), "query", "invalid_request")
		}
	}

	for name, p := range reauth {
		t.Run(name, func(t *testing.T) {
			e := e.with(t)
			v := e.params("code")
			v.Set(p[0], p[1])
			first := e.authorize(c, v)
			e.toLogin(first, true)
			back := e.signIn(c, authzEmail, first.location()).location()
			if got := e.reply(e.get(c, back)); got.params.Get("code") == "" {
				t.Fatalf("the sign-in asked for did not answer the request: %+v", got)
			}
			// The same resumed URL again (history, a second tab, an
			// attacker at the keyboard) finds its marker spent.
			e.toLogin(e.get(c, back), true)

			// A genuine marker pasted onto another request opens nothing.
			r := e.authorize(c, v)
			resume, _ := e.toLogin(r, true)
			other := e.params("code")
			other.Set(p[0], p[1])
			other.Set("state", "another state")
			other.Set("gg_resume", resume.Get("gg_resume"))
			reply := e.reply(e.authorize(c, other))
			if reply.params.Get("error") != "invalid_request" || reply.params.Has("code") {
				t.Fatalf("marker moved to another request: %+v", reply)
			}
		})
	}
}
