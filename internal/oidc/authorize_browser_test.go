package oidc_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

// authzRP is a relying party's callback on loopback: it records what
// arrives, by query or by form_post.
type authzRP struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []url.Values
}

func newAuthzRP(t *testing.T) *authzRP {
	rp := &authzRP{}
	rp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cb" {
			http.NotFound(w, r) // the browser's favicon request
			return
		}
		_ = r.ParseForm()
		rp.mu.Lock()
		rp.got = append(rp.got, r.Form)
		rp.mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!DOCTYPE html><title>RP</title><p id="rp-done">received</p>`))
	}))
	t.Cleanup(rp.srv.Close)
	return rp
}

func (rp *authzRP) last() url.Values {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if len(rp.got) == 0 {
		return nil
	}
	return rp.got[len(rp.got)-1]
}

// TestAuthorizeInChromium is the code flow as a member's browser makes it:
// the relying party's link, the two sign-in steps, and the redirect to the
// relying party; then, signed in, a form_post response. Chromium applies
// the sign-in form's CSP form-action to the redirects that follow its
// submission, so this is what proves a real browser reaches the client.
func TestAuthorizeInChromium(t *testing.T) {
	chromium := testenv.BrowserPath(t)
	e := newAuthzEnv(t)
	rp := newAuthzRP(t)
	e.client = e.addClient("--redirect-uris", rp.srv.URL+"/cb")
	v := e.params("code")
	v.Set("redirect_uri", rp.srv.URL+"/cb")
	b := testenv.StartBrowser(t, chromium, 60*time.Second)
	b.Extra = func() string {
		ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
		defer cancel()
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		return fmt.Sprintf("page text:\n%s\nserver log:\n%s", text, e.s.Logs)
	}
	step := b.Do

	step("open the authorization URL", chromedp.Navigate(e.s.URL+"/oauth/authorize?"+v.Encode()), chromedp.WaitVisible(chromedp.CSS("#email")))
	step("email step", chromedp.SendKeys(chromedp.CSS("#email"), authzEmail), chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#password")))
	step("password step", chromedp.SendKeys(chromedp.CSS("#password"), authzPassword), chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#rp-done")))
	if got := rp.last(); got.Get("code") == "" || got.Get("state") != authzState || got.Get("iss") != e.s.URL {
		t.Fatalf("the relying party received %v", got)
	}

	v.Set("response_mode", "form_post")
	v.Set("state", "second")
	step("form_post", chromedp.Navigate(e.s.URL+"/oauth/authorize?"+v.Encode()), chromedp.WaitVisible(chromedp.CSS("#rp-done")))
	if got := rp.last(); got.Get("code") == "" || got.Get("state") != "second" {
		t.Fatalf("the relying party received %v by form_post", got)
	}
}
