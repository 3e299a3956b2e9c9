package samltest

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is the member's browser on Guildgate: it follows redirects
// within the server, signs in as Email when /login asks, and stops at the
// first thing that leaves the server (a redirect, or a form that posts to
// an app) or at a page.
type Browser struct {
	T               testing.TB
	Client          *http.Client // keeps cookies, does not follow redirects
	Base            string       // the server's URL
	Email, Password string
	// SignIns counts the password forms the browser filled in.
	SignIns int
}

// Result is where the browser stopped.
type Result struct {
	Status   int
	Body     string
	Location string    // a redirect off the server
	Form     *PostForm // an auto-submitting form off the server
}

// PostForm is a form the page would submit by itself.
type PostForm struct {
	Action string
	Fields url.Values
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hidden     = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)"`)
	csrf       = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// Get opens rawURL.
func (b *Browser) Get(rawURL string) Result {
	b.T.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		b.T.Fatal(err)
	}
	return b.Do(req)
}

// Post submits a form (an app's auto-submitting form, say) to rawURL.
func (b *Browser) Post(rawURL string, fields url.Values) Result {
	b.T.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(fields.Encode()))
	if err != nil {
		b.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// Do sends req and follows the server's own redirects.
func (b *Browser) Do(req *http.Request) Result {
	b.T.Helper()
	for range 10 {
		resp, err := b.Client.Do(req)
		if err != nil {
			b.T.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "":
			next, err := req.URL.Parse(loc)
			if err != nil {
				b.T.Fatal(err)
			}
			if !b.onServer(next) {
				return Result{Status: resp.StatusCode, Location: next.String()}
			}
			if next.Path == "/login" {
				req = b.signIn(next)
				continue
			}
			req, _ = http.NewRequest(http.MethodGet, next.String(), nil)
		default:
			return b.page(resp.StatusCode, string(body))
		}
	}
	b.T.Fatal("more than 10 redirects")
	return Result{}
}

func (b *Browser) onServer(u *url.URL) bool {
	base, _ := url.Parse(b.Base)
	return u.Host == base.Host
}

// page reads a page, and the form it submits by itself if it has one.
func (b *Browser) page(status int, body string) Result {
	r := Result{Status: status, Body: body}
	m := formAction.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "document.forms[0].submit()") {
		return r
	}
	f := &PostForm{Action: html.UnescapeString(m[1]), Fields: url.Values{}}
	for _, h := range hidden.FindAllStringSubmatch(body, -1) {
		f.Fields.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	r.Form = f
	return r
}

// signIn fills in both steps of the sign-in page reached at loginURL and
// returns the request its last answer redirects to (via the password
// step's redirect, which Do follows).
func (b *Browser) signIn(loginURL *url.URL) *http.Request {
	b.T.Helper()
	returnTo := loginURL.Query().Get("return_to")
	resp, err := b.Client.Get(loginURL.String())
	if err != nil {
		b.T.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther { // already signed in
		next, _ := loginURL.Parse(resp.Header.Get("Location"))
		req, _ := http.NewRequest(http.MethodGet, next.String(), nil)
		return req
	}
	token := b.token(string(body))
	resp, err = b.Client.PostForm(b.Base+"/login", url.Values{"csrf_token": {token}, "email": {b.Email}, "return_to": {returnTo}})
	if err != nil {
		b.T.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `name="password"`) {
		b.T.Fatalf("the email step did not lead to the password step (%d):\n%s", resp.StatusCode, body)
	}
	b.SignIns++
	req, _ := http.NewRequest(http.MethodPost, b.Base+"/login", strings.NewReader(url.Values{"csrf_token": {b.token(string(body))},
		"email": {b.Email}, "password": {b.Password}, "return_to": {returnTo}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func (b *Browser) token(body string) string {
	b.T.Helper()
	m := csrf.FindStringSubmatch(body)
	if m == nil {
		b.T.Fatalf("no csrf_token on the page:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// FormFields reads the hidden SAMLRequest, SAMLResponse and RelayState
// fields of crewjam's own auto-submitting forms (an SP's POST binding).
func FormFields(page []byte) url.Values {
	out := url.Values{}
	for _, name := range []string{"SAMLRequest", "SAMLResponse", "RelayState"} {
		re := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`)
		if m := re.FindSubmatch(page); m != nil {
			out.Set(name, html.UnescapeString(string(m[1])))
		}
	}
	return out
}
