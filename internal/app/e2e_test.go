package app_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

var backends = []testenv.Backend{testenv.SQLite, testenv.Postgres}

// TestSignInSessionSignOut is the core journey on each backend: a member made
// through the CLI signs in over HTTPS, sees the session, signs out, and the
// session is gone (also server-side: the old cookie no longer works).
func TestSignInSessionSignOut(t *testing.T) {
	for _, backend := range backends {
		t.Run(string(backend), func(t *testing.T) {
			s := testenv.Start(t, backend, nil)
			addMember(t, s, "default", "Ada@Example.org", "correct horse battery")
			c := s.Client(t)

			resp := signIn(t, c, s.URL, "ada@example.org", "correct horse battery")
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in status %d, want 303", resp.StatusCode)
			}
			assertSessionCookie(t, resp)
			_, body, token := page(t, c, s.URL, "/login")
			if !strings.Contains(body, "Ada@Example.org") || !strings.Contains(strings.ToLower(body), "signed in") {
				t.Fatalf("after sign-in /login does not show the session:\n%s", body)
			}
			old := sessionCookie(c, s.URL)

			_, _, token = page(t, c, s.URL, "/log-out")
			status, body, _ := readPage(t, post(t, c, s.URL, "/log-out", url.Values{"csrf_token": {token}}))
			if status != http.StatusOK || !strings.Contains(strings.ToLower(body), "signed out") {
				t.Fatalf("log-out: %d\n%s", status, body)
			}
			_, body, _ = page(t, c, s.URL, "/login")
			if strings.Contains(body, "Ada@Example.org") || !strings.Contains(body, `name="email"`) {
				t.Fatalf("after sign-out /login still shows a session:\n%s", body)
			}
			replay := s.Client(t)
			u, _ := url.Parse(s.URL)
			replay.Jar.SetCookies(u, []*http.Cookie{old})
			if _, body, _ := page(t, replay, s.URL, "/login"); strings.Contains(body, "Ada@Example.org") {
				t.Fatal("the signed-out session cookie still works")
			}
		})
	}
}

func assertSessionCookie(t *testing.T, resp *http.Response) {
	t.Helper()
	for _, ck := range resp.Cookies() {
		if ck.Name == "__Host-gg_session" {
			if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
				t.Fatalf("session cookie attributes wrong: %+v", ck)
			}
			return
		}
	}
	t.Fatal("sign-in set no __Host-gg_session cookie")
}

// TestSignInRefusals covers each wrong input and its refusal.
func TestSignInRefusals(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", "ada@example.org", "correct horse battery")

	wrong := signIn(t, s.Client(t), s.URL, "ada@example.org", "wrong password!")
	wrongStatus, wrongBody, _ := readPage(t, wrong)
	unknown := signIn(t, s.Client(t), s.URL, "nobody@example.org", "wrong password!")
	unknownStatus, unknownBody, _ := readPage(t, unknown)
	if wrongStatus == http.StatusSeeOther || !strings.Contains(wrongBody, "Incorrect email or password.") {
		t.Fatalf("wrong password: %d\n%s", wrongStatus, wrongBody)
	}
	if unknownStatus != wrongStatus || !strings.Contains(unknownBody, "Incorrect email or password.") {
		t.Fatalf("unknown email answered differently from a wrong password: %d vs %d", unknownStatus, wrongStatus)
	}

	t.Run("missing CSRF token", func(t *testing.T) {
		c := s.Client(t)
		page(t, c, s.URL, "/login") // gets the CSRF cookie, but the form omits the field
		status, _, _ := readPage(t, post(t, c, s.URL, "/login",
			url.Values{"email": {"ada@example.org"}, "password": {"correct horse battery"}}))
		if status != http.StatusForbidden || sessionCookie(c, s.URL) != nil {
			t.Fatalf("status %d, session %v; want 403 and no session", status, sessionCookie(c, s.URL))
		}
	})
	t.Run("over-long body", func(t *testing.T) {
		c := s.Client(t)
		_, _, token := page(t, c, s.URL, "/login")
		status, _, _ := readPage(t, post(t, c, s.URL, "/login", url.Values{"csrf_token": {token},
			"email": {"ada@example.org"}, "password": {strings.Repeat("x", 1<<20)}}))
		if status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", status)
		}
	})
	t.Run("plain HTTP", func(t *testing.T) {
		conn, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "HTTPS") || strings.Contains(string(b), "<form") {
			t.Fatalf("plain HTTP got %d: %s", resp.StatusCode, b)
		}
	})
	t.Run("throttled after repeated failures", func(t *testing.T) {
		var status int
		var body string
		for range 8 {
			status, body, _ = readPage(t, signIn(t, s.Client(t), s.URL, "victim@example.org", "guess-guess"))
		}
		if status != http.StatusTooManyRequests || !strings.Contains(body, "Try again in") {
			t.Fatalf("after 8 failures: %d\n%s", status, body)
		}
	})
}

// TestSecurityHeadersOnHTML checks the headers every HTML page must carry.
func TestSecurityHeadersOnHTML(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	resp, err := s.Client(t).Get(s.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if !strings.HasPrefix(h.Get("Strict-Transport-Security"), "max-age=") ||
		!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("security headers missing: %v", h)
	}
}

// TestTenantIsolationByHost proves a tenant's members cannot sign in, or be
// seen, on another tenant's host.
func TestTenantIsolationByHost(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	s.MustCLI(t, "", "tenant", "add", "guild", "--issuer", "https://guild.example", "--name", "The Guild")
	addMember(t, s, "default", "ada@example.org", "correct horse battery")
	addMember(t, s, "guild", "bob@guild.example", "another good password")
	guild := strings.Replace(s.URL, "localhost", "guild.example", 1)

	_, body, _ := page(t, s.Client(t), guild, "/login")
	if !strings.Contains(body, "The Guild") {
		t.Fatalf("guild.example is not served by the guild tenant:\n%s", body)
	}
	if st, _, _ := readPage(t, signIn(t, s.Client(t), guild, "ada@example.org", "correct horse battery")); st == http.StatusSeeOther {
		t.Fatal("a default-tenant member signed in on the guild tenant's host")
	}
	if st, _, _ := readPage(t, signIn(t, s.Client(t), s.URL, "bob@guild.example", "another good password")); st == http.StatusSeeOther {
		t.Fatal("a guild member signed in on the default tenant's host")
	}
	if st, _, _ := readPage(t, signIn(t, s.Client(t), guild, "bob@guild.example", "another good password")); st != http.StatusSeeOther {
		t.Fatalf("guild member could not sign in on the guild host: %d", st)
	}
	out, _, _ := s.CLI(t, "", "member", "list", "--tenant", "guild", "--json")
	if strings.Contains(out, "ada@example.org") {
		t.Fatal("the guild tenant lists a default-tenant member")
	}
}

// TestProbesAndMetrics checks liveness, readiness and that sign-ins are counted.
func TestProbesAndMetrics(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", "ada@example.org", "correct horse battery")
	c := s.Client(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if st, _, _ := page(t, c, s.URL, p); st != http.StatusOK {
			t.Fatalf("%s = %d", p, st)
		}
	}
	signIn(t, c, s.URL, "ada@example.org", "correct horse battery").Body.Close()
	signIn(t, s.Client(t), s.URL, "ada@example.org", "nope nope nope").Body.Close()
	_, body, _ := page(t, c, s.URL, "/metrics")
	for _, want := range []string{
		`guildgate_login_attempts_total{outcome="success"} 1`,
		`guildgate_login_attempts_total{outcome="failure"} 1`,
		`guildgate_http_requests_total{method="POST",route="POST /login",status="303"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestLogsHoldNoSecrets signs in and out, then searches everything the server
// logged for the password, the session cookie and the form token.
func TestLogsHoldNoSecrets(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	const pw = "very secret passphrase 42"
	addMember(t, s, "default", "ada@example.org", pw)
	c := s.Client(t)
	signIn(t, c, s.URL, "ada@example.org", pw).Body.Close()
	signIn(t, s.Client(t), s.URL, "ada@example.org", pw+"x").Body.Close()
	page(t, c, s.URL, "/login?return_to=/x%3Fcode%3Dsupersecretcode")
	csrf, session := cookieNamed(c, s.URL, "__Host-gg_csrf"), sessionCookie(c, s.URL)
	if csrf == nil || session == nil {
		t.Fatal("the signed-in client lacks its CSRF or session cookie")
	}
	logs := s.Logs.String()
	if !strings.Contains(logs, `"route":"POST /login"`) {
		t.Fatalf("no access log lines were captured:\n%s", logs)
	}
	for name, secret := range map[string]string{"password": pw, "session cookie": session.Value,
		"csrf token": csrf.Value, "query": "supersecretcode"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain the %s", name)
		}
	}
}
