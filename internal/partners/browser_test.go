package partners_test

import (
	"crypto/tls"
	"crypto/x509"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// maxHops bounds the redirects one visit may take. A sign-in through both
// the relying party and Guildgate takes about six; a loop takes all of them.
const maxHops = 15

// memberBrowser is the member's browser as far as the flows need one: it
// keeps cookies, trusts Guildgate's certificate, follows redirects itself
// (counting them), and signs in on Guildgate's real login pages.
type memberBrowser struct {
	t      *testing.T
	c      *http.Client
	issuer *url.URL
	email  string
}

func newBrowser(t *testing.T, e *rpEnv, email string) *memberBrowser {
	t.Helper()
	pem, err := os.ReadFile(e.caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{
		// One request per connection: mod_auth_openidc 2.4.12 can write more
		// after an error page than the page's own length (see the guide).
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true},
		Jar:       localhostJar{jar}, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	issuer, _ := url.Parse(e.s.URL)
	return &memberBrowser{t: t, c: c, issuer: issuer, email: email}
}

// localhostJar keeps Secure cookies for http://localhost as browsers do
// (they treat localhost as a secure context); net/http/cookiejar would
// drop them, and the relying parties set their cookies Secure as the
// guides tell them to.
type localhostJar struct{ http.CookieJar }

func (j localhostJar) SetCookies(u *url.URL, cs []*http.Cookie) {
	j.CookieJar.SetCookies(secure(u), cs)
}
func (j localhostJar) Cookies(u *url.URL) []*http.Cookie { return j.CookieJar.Cookies(secure(u)) }

func secure(u *url.URL) *url.URL {
	if u.Scheme != "http" || u.Hostname() != "localhost" {
		return u
	}
	c := *u
	c.Scheme = "https"
	return &c
}

// page is where a visit ended.
type page struct {
	status int
	url    *url.URL
	header http.Header
	body   string
	hops   int      // redirects followed
	trail  []string // every URL visited, for failure messages
	looped bool     // open gave up after maxHops redirects
}

// onLogin reports whether the visit ended on Guildgate's login page.
func (p page) onLogin(issuer *url.URL) bool {
	return p.status == http.StatusOK && p.url.Host == issuer.Host && p.url.Path == "/login"
}

// open visits target as the member would by following a link: every
// redirect is followed, Guildgate's login page is answered with the
// member's email and password (at most once), and the visit ends, looped,
// after maxHops redirects. With signIn false it stops on the login page
// instead.
func (b *memberBrowser) open(target string, signIn bool, header http.Header) page {
	b.t.Helper()
	var trail []string
	signedIn := false
	req := b.request(http.MethodGet, target, nil, header)
	for hops := 0; ; hops++ {
		trail = append(trail, req.Method+" "+req.URL.String())
		p := b.do(req)
		p.hops, p.trail = hops, trail
		if loc := p.header.Get("Location"); loc != "" && p.status >= 300 && p.status < 400 {
			if p.looped = hops == maxHops; p.looped {
				return p
			}
			next, err := p.url.Parse(loc)
			if err != nil {
				b.t.Fatalf("redirect to %q: %v", loc, err)
			}
			req = b.request(http.MethodGet, next.String(), nil, header)
			continue
		}
		if !p.onLogin(b.issuer) || !signIn {
			return p
		}
		if signedIn {
			b.t.Fatalf("Guildgate asked for the password twice in one visit:\n%s", strings.Join(trail, "\n"))
		}
		signedIn = true
		req = b.signIn(p)
	}
}

// signIn fills Guildgate's two login steps (email, then password) and
// returns the request the password form's answer leads to.
func (b *memberBrowser) signIn(login page) *http.Request {
	b.t.Helper()
	form := b.submit(login, url.Values{"email": {b.email}})
	if !strings.Contains(form.body, `name="password"`) {
		b.t.Fatalf("after the email step, no password form: %d\n%s", form.status, form.body)
	}
	done := b.submit(form, url.Values{"password": {password}})
	loc := done.header.Get("Location")
	if done.status != http.StatusSeeOther || loc == "" {
		b.t.Fatalf("sign-in as %s: %d\n%s", b.email, done.status, done.body)
	}
	next, _ := done.url.Parse(loc)
	return b.request(http.MethodGet, next.String(), nil, nil)
}

var (
	formTag    = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)"[^>]*>(.*?)</form>`)
	inputField = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)"`)
)

// submit posts the page's (first) form with its hidden fields and set.
func (b *memberBrowser) submit(p page, set url.Values) page {
	b.t.Helper()
	m := formTag.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no form on %s:\n%s", p.url, p.body)
	}
	form := url.Values{}
	for _, in := range inputField.FindAllStringSubmatch(m[2], -1) {
		form.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	for k, v := range set {
		form[k] = v
	}
	action, err := p.url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		b.t.Fatal(err)
	}
	req := b.request(http.MethodPost, action.String(), strings.NewReader(form.Encode()), nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// request is what a browser's navigation sends: mod_auth_openidc answers
// 401 instead of redirecting to sign in when a request does not look like
// one (no text/html in Accept).
func (b *memberBrowser) request(method, target string, body io.Reader, header http.Header) *http.Request {
	b.t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	return req
}

func (b *memberBrowser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		b.t.Fatal(err)
	}
	return page{status: resp.StatusCode, url: resp.Request.URL, header: resp.Header, body: string(body)}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
