package app_test

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestKill9KeepsGroupCommittedTokens kills the real server (SIGKILL) while
// sixteen clients of one signed-in member keep it busy with authorization
// requests, code exchanges and refresh rotations, so that on SQLite the
// writer's commit queue holds writes already acknowledged and writes not
// yet answered (their transactions are committed in groups). Each client
// records every code and refresh token it was answered with. After a
// restart on the same database, every acknowledged code not yet sent to the
// token endpoint is exchanged once, and a second time is refused; the
// newest acknowledged refresh token of every family works, and a token it
// replaced is then refused as reuse, which revokes the family. A request
// in flight at the kill may have committed unanswered: its code or token
// then works or is refused as used, and never fails otherwise. On
// PostgreSQL too, where there is no queue, the same must hold.
func TestKill9KeepsGroupCommittedTokens(t *testing.T) {
	t.Parallel() // its own binaries, data and ports: see TestBinary
	bin := testenv.BuildBinary(t, "")
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testKill9GroupCommit(t, bin, backend) })
	}
}

func testKill9GroupCommit(t *testing.T, bin, backend string) {
	const email, pw, redirect = "ada@example.org", "correct horse battery", "https://rp.example/cb"
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	dsn := filepath.Join(dir, dataDir, "guildgate.db")
	if backend == "postgres" {
		dsn = storetest.PostgresDSN(t)
	}
	p := serveBinary(t, bin, dir, addr, "--database", dsn)
	pool := waitHealthyTLS(t, p, filepath.Join(dir, dataDir), addr)
	mustRunBinary(t, bin, dir, pw+"\n", "member", "add", "--database", dsn, "--email", email,
		"--name", "Ada Lovelace", "--password-stdin")
	out, _ := mustRunBinary(t, bin, dir, "", "client", "add", "--database", dsn, "--name", "RP",
		"--redirect-uris", redirect, "--grant-types", "authorization_code,refresh_token", "--json")
	var cc clientCreds
	if err := json.Unmarshal([]byte(out), &cc); err != nil {
		t.Fatalf("client add printed %q: %v", out, err)
	}
	base := localURL(addr)
	c := gcClient(t, pool, addr)
	if resp := signIn(t, c, base, email, pw); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d", resp.StatusCode)
	}
	rp := &gcRP{base: base, client: cc, redirect: redirect, browser: c}

	const workers, ackedBeforeKill = 16, 16 * 24
	ws := make([]*gcWorker, workers)
	var acked atomic.Int64
	var killed atomic.Bool
	var wg sync.WaitGroup
	for i := range ws {
		ws[i] = &gcWorker{verifier: oauth2.GenerateVerifier()}
		wg.Go(func() { ws[i].run(t, rp, &acked, &killed) })
	}
	for deadline := time.Now().Add(60 * time.Second); acked.Load() < ackedBeforeKill; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) || t.Failed() {
			break
		}
	}
	killed.Store(true)
	p.Signal(t, syscall.SIGKILL)
	p.Wait(t, 20*time.Second)
	wg.Wait()
	if t.Failed() {
		return
	}
	if n := acked.Load(); n < ackedBeforeKill {
		t.Fatalf("only %d acknowledged answers before the kill", n)
	}

	p = serveBinary(t, bin, dir, addr, "--database", dsn)
	rp.browser.Transport = gcClient(t, waitHealthyTLS(t, p, filepath.Join(dir, dataDir), addr), addr).Transport
	var codes, families, inFlight atomic.Int64
	for i, w := range ws {
		wg.Go(func() {
			codes.Add(int64(len(w.codes)))
			families.Add(int64(len(w.families)))
			inFlight.Add(int64(w.check(t, i, rp)))
		})
	}
	wg.Wait()
	t.Logf("killed after %d acknowledged answers; after the restart %d acknowledged codes and %d refresh token families checked, %d requests had been in flight",
		acked.Load(), codes.Load(), families.Load(), inFlight.Load())
}

// gcRP is the relying party's and the member's side of the test.
type gcRP struct {
	base, redirect string
	client         clientCreds
	browser        *http.Client // signed in; does not follow redirects
}

// gcWorker is one client's record of what the server acknowledged.
type gcWorker struct {
	verifier string
	codes    []string // acknowledged, never sent to the token endpoint
	sent     string   // a code whose exchange was not answered (the kill)
	families []*gcFamily
}

// gcFamily is one code's refresh tokens.
type gcFamily struct {
	newest   string   // the last one acknowledged
	replaced []string // those rotations replaced, oldest first
	inFlight bool     // a rotation of newest was not answered (the kill)
}

// run authorizes, exchanges the oldest of its codes once it holds more than
// two, and rotates its families in turn, until a request fails: after the
// kill that is expected, before it an error.
func (w *gcWorker) run(t *testing.T, rp *gcRP, acked *atomic.Int64, killed *atomic.Bool) {
	fail := func(err error) {
		if !killed.Load() {
			t.Errorf("before the kill: %v", err)
		}
	}
	for n := 0; ; n++ {
		code, err := rp.authorize(w.verifier)
		if err != nil {
			fail(err)
			return
		}
		w.codes = append(w.codes, code)
		acked.Add(1)
		if len(w.codes) > 2 {
			w.sent, w.codes = w.codes[0], w.codes[1:]
			rt, err := rp.exchange(w.sent, w.verifier)
			if err != nil {
				fail(err)
				return
			}
			w.sent = ""
			w.families = append(w.families, &gcFamily{newest: rt})
			acked.Add(1)
		}
		if len(w.families) == 0 {
			continue
		}
		f := w.families[n%len(w.families)]
		f.inFlight = true
		rt, err := rp.refresh(f.newest)
		if err != nil {
			fail(err)
			return
		}
		f.replaced, f.newest, f.inFlight = append(f.replaced, f.newest), rt, false
		acked.Add(1)
	}
}

// check runs after the restart and returns how many of w's requests had
// been in flight at the kill.
func (w *gcWorker) check(t *testing.T, i int, rp *gcRP) (inFlight int) {
	// Codes first: they live a minute.
	for _, code := range w.codes {
		if _, err := rp.exchange(code, w.verifier); err != nil {
			t.Errorf("worker %d: an acknowledged code after the restart: %v", i, err)
			continue
		}
		if _, err := rp.exchange(code, w.verifier); !isInvalidGrant(err) {
			t.Errorf("worker %d: an acknowledged code exchanged a second time: %v, want invalid_grant", i, err)
		}
	}
	if w.sent != "" {
		inFlight++
		if _, err := rp.exchange(w.sent, w.verifier); err != nil && !isInvalidGrant(err) {
			t.Errorf("worker %d: the code in flight at the kill: %v, want success or invalid_grant", i, err)
		}
	}
	for j, f := range w.families {
		rt, err := rp.refresh(f.newest)
		switch {
		case err == nil:
		case f.inFlight && isInvalidGrant(err):
			inFlight++
			continue // its rotation committed unanswered: reusing it revoked the family
		default:
			t.Errorf("worker %d family %d: the newest acknowledged refresh token (rotation in flight: %v): %v",
				i, j, f.inFlight, err)
			continue
		}
		if f.inFlight {
			inFlight++
		}
		if len(f.replaced) == 0 {
			continue
		}
		if _, err := rp.refresh(f.replaced[len(f.replaced)-1]); !isInvalidGrant(err) {
			t.Errorf("worker %d family %d: a replaced refresh token: %v, want invalid_grant", i, j, err)
		}
		if _, err := rp.refresh(rt); !isInvalidGrant(err) {
			t.Errorf("worker %d family %d: the newest token after its family's reuse: %v, want invalid_grant", i, j, err)
		}
	}
	return inFlight
}

func (rp *gcRP) authorize(verifier string) (string, error) {
	q := url.Values{"response_type": {"code"}, "client_id": {rp.client.ID}, "redirect_uri": {rp.redirect},
		"scope": {"openid offline_access"}, "state": {"st"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"}}
	resp, err := rp.browser.Get(rp.base + "/oauth/authorize?" + q.Encode())
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Query().Get("code") == "" {
		return "", &tokenError{status: resp.StatusCode, body: "authorize redirected to " + resp.Header.Get("Location")}
	}
	return loc.Query().Get("code"), nil
}

func (rp *gcRP) exchange(code, verifier string) (string, error) {
	return rp.token(url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {rp.redirect}, "code_verifier": {verifier}})
}

func (rp *gcRP) refresh(token string) (string, error) {
	return rp.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
}

// token posts a token request and returns the refresh token of a 200
// answer, or a *tokenError.
func (rp *gcRP) token(form url.Values) (string, error) {
	req, err := http.NewRequest(http.MethodPost, rp.base+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(rp.client.ID), url.QueryEscape(rp.client.Secret))
	resp, err := rp.browser.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body struct {
		Refresh string `json:"refresh_token"`
		Error   string `json:"error"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusOK || err != nil || body.Refresh == "" {
		return "", &tokenError{status: resp.StatusCode, code: body.Error}
	}
	return body.Refresh, nil
}

// tokenError is an answer other than a 200 with a refresh token.
type tokenError struct {
	status     int
	code, body string
}

func (e *tokenError) Error() string {
	return "status " + http.StatusText(e.status) + " " + e.code + e.body
}

func isInvalidGrant(err error) bool {
	te, ok := errors.AsType[*tokenError](err)
	return ok && te.status == http.StatusBadRequest && te.code == "invalid_grant"
}

// gcClient is tlsClient keeping a connection per worker alive.
func gcClient(t *testing.T, pool *x509.CertPool, addr string) *http.Client {
	c := tlsClient(t, pool, addr)
	c.Transport.(*http.Transport).MaxIdleConnsPerHost = 32
	return c
}
