package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestKill9KeepsAcknowledgedTokens kills the real server (SIGKILL) while
// code exchanges and refresh rotations are in flight on SQLite, restarts it
// on the same files and checks that every token it had acknowledged still
// works. Half the workers ("settled") exchange a code, rotate a few times
// and stop before the kill: their last refresh and access tokens must work
// after the restart. The other half ("racing") keep writing until the kill;
// each of their last acknowledged refresh tokens must work too, unless a
// rotation of it was in flight at the kill (that rotation may have committed
// without its answer arriving): then it works or is refused as used, and
// never fails with a server error.
func TestKill9KeepsAcknowledgedTokens(t *testing.T) {
	t.Parallel() // its own binaries, data and ports: see TestBinary
	bin := testenv.BuildBinary(t, "")
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	p := serveBinary(t, bin, dir, addr, "--data-dir", dir)
	c := tlsClient(t, waitHealthyTLS(t, p, dir, addr), addr)
	cl := crashFixtures(t, dir)
	const workers = 12
	codes := cl.codes(t, workers)

	var acked atomic.Int64
	settled := make([]crashWorker, workers/2)
	racing := make([]crashWorker, workers-len(settled))
	var settledWG, racingWG sync.WaitGroup
	for i := range settled {
		settledWG.Go(func() { settled[i].run(t, c, cl, codes[i], 3, &acked, nil) })
	}
	stop := make(chan struct{})
	var racingLeft atomic.Int64
	racingLeft.Store(int64(len(racing)))
	for i := range racing {
		racingWG.Go(func() {
			defer racingLeft.Add(-1)
			racing[i].run(t, c, cl, codes[len(settled)+i], -1, &acked, stop)
		})
	}
	settledWG.Wait()
	// Let the racing workers get well into their rotations (or end: then
	// the test has already failed).
	for acked.Load() < int64(len(settled)*4+len(racing)*4) && racingLeft.Load() > 0 {
		time.Sleep(5 * time.Millisecond)
	}
	p.Signal(t, syscall.SIGKILL)
	p.Wait(t, 20*time.Second)
	close(stop)
	racingWG.Wait()
	inFlight := 0
	for _, w := range racing {
		if w.inFlight {
			inFlight++
		}
	}
	t.Logf("killed after %d acknowledged token responses, with %d of %d racing rotations in flight",
		acked.Load(), inFlight, len(racing))
	if t.Failed() {
		return
	}

	p = serveBinary(t, bin, dir, addr, "--data-dir", dir)
	c = tlsClient(t, waitHealthyTLS(t, p, dir, addr), addr)
	for i, w := range settled {
		if w.refresh == "" {
			t.Fatalf("settled worker %d has no acknowledged refresh token", i)
		}
		if status := userinfoStatus(t, c, w.access); status != http.StatusOK {
			t.Errorf("settled worker %d: its acknowledged access token gets userinfo status %d after the restart", i, status)
		}
		if status, body := cl.refresh(t, c, w.refresh); status != http.StatusOK {
			t.Errorf("settled worker %d: its acknowledged refresh token gets %d after the restart: %s", i, status, body)
		}
	}
	for i, w := range racing {
		if w.refresh == "" {
			continue // killed before its code exchange was answered
		}
		status, body := cl.refresh(t, c, w.refresh)
		switch {
		case status == http.StatusOK:
		case w.inFlight && status == http.StatusBadRequest && strings.Contains(body, "invalid_grant"):
		default:
			t.Errorf("racing worker %d (rotation in flight at the kill: %v): its last acknowledged refresh token gets %d: %s",
				i, w.inFlight, status, body)
		}
	}
}

// crashClient is the confidential client and member the workers use.
type crashClient struct {
	id, secret, base string
	st               *sqlstore.Store
	tenant           model.Tenant
	member           model.Member
}

// crashFixtures registers a client through the CLI and a member directly in
// the server's database.
func crashFixtures(t *testing.T, dir string) *crashClient {
	t.Helper()
	db := filepath.Join(dir, "guildgate.db")
	out, errOut, code := testenv.RunCLI(t, db, dir, "", "client", "add", "--name", "crash", "--redirect-uris",
		"https://rp.example/cb", "--grant-types", "authorization_code,refresh_token", "--json")
	if code != 0 {
		t.Fatalf("client add: %s", errOut)
	}
	var v struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("client add printed %q: %v", out, err)
	}
	st, err := sqlstore.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tn, err := st.Tenants().GetBySlug(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	m := model.Member{ID: ids.NewUUID(), TenantID: tn.ID, Email: "ada@example.org", EmailVerified: true,
		Name: "Ada Lovelace", Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
	if err := st.Members().Create(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	return &crashClient{id: v.ID, secret: v.Secret, base: "https://localhost", st: st, tenant: tn, member: m}
}

// codes stores n grants with an authorization code each, as /oauth/authorize
// would, and returns the codes.
func (cl *crashClient) codes(t *testing.T, n int) []string {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	scopes := []string{"openid", "offline_access"}
	out := make([]string, n)
	for i := range out {
		g := model.Grant{ID: ids.NewUUID(), TenantID: cl.tenant.ID, ClientID: cl.id, MemberID: cl.member.ID,
			Scopes: scopes, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
		out[i] = ids.NewToken(32)
		ac := model.AuthCode{Hash: ids.Hash(out[i]), TenantID: cl.tenant.ID, GrantID: g.ID, ClientID: cl.id,
			MemberID: cl.member.ID, RedirectURI: "https://rp.example/cb", Scopes: scopes, AuthTime: now,
			CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := cl.st.Grants().Create(t.Context(), g); err != nil {
			t.Fatal(err)
		}
		if err := cl.st.AuthCodes().Create(t.Context(), ac); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// crashWorker exchanges one code, then rotates the refresh token it got,
// keeping what the server acknowledged last.
type crashWorker struct {
	access, refresh string
	inFlight        bool // a rotation of refresh was sent and not answered
}

// run exchanges code and rotates rotations times (-1: until stop is closed
// or the server goes away). A failed request ends a racing worker quietly:
// it is the kill.
func (w *crashWorker) run(t *testing.T, c *http.Client, cl *crashClient, code string, rotations int,
	acked *atomic.Int64, stop <-chan struct{}) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://rp.example/cb"}}
	for i := 0; rotations < 0 || i <= rotations; i++ {
		if stop != nil {
			select {
			case <-stop:
				return
			default:
			}
		}
		w.inFlight = w.refresh != ""
		status, body, err := cl.post(c, form)
		if err != nil {
			if stop == nil {
				t.Errorf("settled worker: %v", err)
			}
			return
		}
		if status != http.StatusOK {
			t.Errorf("token request: status %d: %s", status, body)
			return
		}
		var tr struct {
			Access  string `json:"access_token"`
			Refresh string `json:"refresh_token"`
		}
		if err := json.Unmarshal([]byte(body), &tr); err != nil || tr.Refresh == "" {
			t.Errorf("token response without a refresh token: %s", body)
			return
		}
		w.access, w.refresh, w.inFlight = tr.Access, tr.Refresh, false
		acked.Add(1)
		form = url.Values{"grant_type": {"refresh_token"}, "refresh_token": {w.refresh}}
	}
}

func (cl *crashClient) refresh(t *testing.T, c *http.Client, token string) (int, string) {
	t.Helper()
	status, body, err := cl.post(c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

func (cl *crashClient) post(c *http.Client, form url.Values) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cl.base+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(cl.id), url.QueryEscape(cl.secret))
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", errors.Join(errors.New("read token response"), err)
	}
	return resp.StatusCode, string(b), nil
}

func userinfoStatus(t *testing.T, c *http.Client, access string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "https://localhost/oauth/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
