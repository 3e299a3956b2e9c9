package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/testenv"
)

// site is one database with the binary serving it from dir, as an operator
// runs it, trusting the partner's certificate through SSL_CERT_FILE.
type site struct {
	t        *testing.T
	bin, dir string
	dsn      string
	ca       receiverCA
	key      string // an admin API key
}

func newSite(t *testing.T, bin, backend string, ca receiverCA) *site {
	dir := t.TempDir()
	dsn := filepath.Join(dir, dataDir, "guildgate.db")
	if backend == "postgres" {
		dsn = storetest.PostgresDSN(t)
	}
	return &site{t: t, bin: bin, dir: dir, dsn: dsn, ca: ca}
}

func (s *site) serve(extra ...string) (*testenv.Process, *http.Client) {
	s.t.Helper()
	addr := testenv.FreeAddr(s.t)
	env := testenv.CleanEnv("GUILDGATE_ADDR="+addr, "SSL_CERT_FILE="+s.ca.file)
	p := testenv.StartProcess(s.t, s.dir, env, s.bin, append([]string{"serve", "--database", s.dsn}, extra...)...)
	return p, tlsClient(s.t, waitHealthyTLS(s.t, p, filepath.Join(s.dir, dataDir), addr), addr)
}

func (s *site) cli(v any, args ...string) {
	s.t.Helper()
	out, _ := mustRunBinary(s.t, s.bin, s.dir, "", append(args, "--database", s.dsn, "--json")...)
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			s.t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
}

// setUp registers the receiver (after a first serve made the master key)
// and a member, and returns the member's id and the endpoint's id.
func (s *site) setUp(r *receiver) (member, endpoint string) {
	var e struct{ ID, Secret string }
	s.cli(&e, "webhook", "add", "--url", r.url())
	r.setSecret(e.Secret)
	var m struct{ ID string }
	s.cli(&m, "member", "add", "--email", "ada@example.org", "--name", "Ada")
	var k struct{ Key string }
	s.cli(&k, "apikey", "create", "--name", "partner-sync")
	s.key = k.Key
	return m.ID, e.ID
}

// setStatus changes the member's status through the admin API.
func (s *site) setStatus(c *http.Client, member, status string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, "https://localhost/api/v1/members/"+member+"/status",
		strings.NewReader(`{"status":"`+status+`"}`))
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("set status: %d", resp.StatusCode)
	}
}

func (s *site) holdJobsLease() *sqlstore.Store {
	s.t.Helper()
	st, err := sqlstore.Open(s.t.Context(), s.dsn)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { st.Close() })
	if held, err := st.Leases().Acquire(s.t.Context(), "jobs", "elsewhere", time.Hour, time.Now()); err != nil || !held {
		s.t.Fatalf("hold the jobs lease: %v %v", held, err)
	}
	return st
}

// TestWebhooksEndToEnd, on SQLite and PostgreSQL, with the built binary
// and a real HTTPS receiver:
//   - a status change committed through the admin API while this replica
//     may not deliver (another holds the jobs lease) survives kill -9 and
//     arrives after the restart;
//   - a 503 is tried again with the same webhook-id, and the delivery is
//     then listed as sent after 2 attempts with the receiver's 204;
//   - a member's status change reaches the receiver within 5 s (a bound
//     on the wait, not a measurement);
//   - every signature verifies, by the specification's algorithm here and
//     by the Standard Webhooks reference library (npm standardwebhooks).
func TestWebhooksEndToEnd(t *testing.T) {
	t.Parallel() // its own binaries, data and ports: see TestBinary
	bin := testenv.BuildBinary(t, "")
	ca := newReceiverCA(t)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			if backend == "postgres" {
				storetest.PostgresURL(t)
			}
			s := newSite(t, bin, backend, ca)
			r := startReceiver(t, ca, model.EventMemberStatusChanged)
			mustRunBinary(t, bin, s.dir, "", "migrate", "--database", s.dsn)
			st := s.holdJobsLease()
			p, _ := s.serve("--allow-private-upstreams") // makes the master key the CLI then uses
			member, endpoint := s.setUp(r)
			stopBinary(t, p, syscall.SIGTERM)
			p, c := s.serve("--allow-private-upstreams")
			s.setStatus(c, member, "expired")
			p.Signal(t, syscall.SIGKILL)
			p.Wait(t, 10*time.Second)
			if n := len(r.deliveries()); n != 0 {
				t.Fatalf("%d deliveries while another replica held the jobs lease", n)
			}
			if err := st.Leases().Release(t.Context(), "jobs", "elsewhere"); err != nil {
				t.Fatal(err)
			}

			p, c = s.serve("--allow-private-upstreams")
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("server log:\n%s", p.Stderr)
				}
			})
			first := r.waitFor(30*time.Second, "member.status_changed after the restart", ofType(t, model.EventMemberStatusChanged, false))
			retried := r.waitFor(30*time.Second, "an accepted retry", ofType(t, model.EventMemberStatusChanged, true))
			if first.Status != http.StatusServiceUnavailable || retried.ID != first.ID || retried.Body != first.Body {
				t.Fatalf("the retry differs from the first attempt:\n%+v\n%+v", first, retried)
			}
			if _, data := retried.event(t); data["id"] != member || data["status"] != "expired" {
				t.Fatalf("data %v", data)
			}
			var ds []struct {
				ID               string `json:"id"`
				EventType        string `json:"event_type"`
				Status           string `json:"status"`
				Attempts         int    `json:"attempts"`
				LastResponseCode int    `json:"last_response_code"`
				WebhookID        string `json:"webhook_id"`
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				s.cli(&ds, "webhook", "deliveries", endpoint)
				if len(ds) > 0 && ds[0].Status == "sent" || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if len(ds) != 2 || ds[0].EventType != model.EventMemberStatusChanged || ds[0].Status != "sent" ||
				ds[0].Attempts != 2 || ds[0].LastResponseCode != http.StatusNoContent || ds[0].WebhookID != first.ID {
				t.Fatalf("deliveries as listed: %+v", ds)
			}

			r.setFailFirst("")
			before := len(r.deliveries())
			s.setStatus(c, member, "current")
			r.waitFor(5*time.Second, "the next status change", func(d delivery) bool {
				typ, data := d.event(t)
				return typ == model.EventMemberStatusChanged && data["status"] == "current"
			})
			for _, d := range r.deliveries() {
				if !d.valid {
					t.Errorf("a delivery's signature does not verify: %+v", d)
				}
			}
			if _, overlaps := r.state(); len(r.deliveries()) <= before || len(overlaps) > 0 {
				t.Fatalf("overlapping attempts at %v", overlaps)
			}
			verifyWithReferenceLibrary(t, r)
			stopBinary(t, p, syscall.SIGTERM)
		})
	}
}

// verifyWithReferenceLibrary checks every delivery the receiver got with
// npm standardwebhooks (interop/webhook-verify.mjs). Without Node or the
// interop packages it only logs, unless GUILDGATE_TEST_INTEROP says they
// must be there.
func verifyWithReferenceLibrary(t *testing.T, r *receiver) {
	t.Helper()
	node, err := exec.LookPath("node")
	interop, _ := filepath.Abs(filepath.Join("..", "..", "interop"))
	if _, serr := os.Stat(filepath.Join(interop, "node_modules", "standardwebhooks")); err != nil || serr != nil {
		if os.Getenv("GUILDGATE_TEST_INTEROP") != "" {
			t.Fatalf("GUILDGATE_TEST_INTEROP is set but node or interop/node_modules/standardwebhooks is missing: %v %v", err, serr)
		}
		t.Log("node or interop/node_modules missing: signatures checked by this test's own verifier only")
		return
	}
	secret, _ := r.state()
	in, _ := json.Marshal(map[string]any{"secret": secret, "deliveries": r.deliveries()})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "webhook-verify.mjs")
	cmd.Dir, cmd.Stdin = interop, bytes.NewReader(in)
	out, err := cmd.Output()
	var results []struct {
		ID    string `json:"id"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err != nil || json.Unmarshal(out, &results) != nil || len(results) != len(r.deliveries()) {
		t.Fatalf("webhook-verify.mjs: %v\n%s", err, out)
	}
	for _, res := range results {
		if !res.OK {
			t.Errorf("standardwebhooks refuses delivery %s: %s", res.ID, res.Error)
		}
	}
}

// TestWebhooksTwoReplicas: two replicas on one PostgreSQL database take a
// member's status changes alternately; the one holding the jobs lease
// delivers every event exactly once, never two attempts at one webhook-id
// at a time, in the order the changes were made.
func TestWebhooksTwoReplicas(t *testing.T) {
	t.Parallel() // its own binaries, data and ports: see TestBinary
	storetest.PostgresURL(t)
	bin := testenv.BuildBinary(t, "")
	ca := newReceiverCA(t)
	s := newSite(t, bin, "postgres", ca)
	r := startReceiver(t, ca, "")
	a, ca1 := s.serve("--allow-private-upstreams")
	member, _ := s.setUp(r)
	b, cb := s.serve("--allow-private-upstreams")
	statuses := []string{"expired", "grace_period", "current", "inheriting", "expired", "non_member", "current", "expired"}
	for i, st := range statuses {
		s.setStatus([]*http.Client{ca1, cb}[i%2], member, st)
	}
	r.waitFor(30*time.Second, "the last status change", func(d delivery) bool {
		typ, data := d.event(t)
		return typ == model.EventMemberStatusChanged && data["status"] == statuses[len(statuses)-1] &&
			len(r.deliveries()) >= len(statuses)+1
	})
	time.Sleep(2 * time.Second) // a duplicate would come now, from the other replica's next poll
	seen := map[string]int{}
	var got []string
	for _, d := range r.deliveries() {
		seen[d.ID]++
		if typ, data := d.event(t); typ == model.EventMemberStatusChanged {
			got = append(got, data["status"].(string))
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
	if _, overlaps := r.state(); len(overlaps) > 0 || strings.Join(got, ",") != strings.Join(statuses, ",") {
		t.Fatalf("delivered %v (overlapping: %v), changed %v", got, overlaps, statuses)
	}
	stopBinary(t, b, syscall.SIGTERM)
	stopBinary(t, a, syscall.SIGTERM)
}

// TestWebhooksGuardedClient: deliveries go through the outbound client's
// rules. A receiver that redirects (here to another loopback receiver) is
// a failed delivery, the redirect never followed; one that hangs is given
// up at the client's timeout and tried again later, holding up nothing
// else; and without --allow-private-upstreams a receiver on a private
// address is never reached at all.
func TestWebhooksGuardedClient(t *testing.T) {
	t.Parallel() // its own binaries, data and ports: see TestBinary
	bin := testenv.BuildBinary(t, "")
	ca := newReceiverCA(t)
	s := newSite(t, bin, "sqlite", ca)
	sink := startReceiver(t, ca, "")
	redirecting, hanging, healthy := startReceiver(t, ca, ""), startReceiver(t, ca, ""), startReceiver(t, ca, "")
	redirecting.redirect = sink.url()
	hanging.hang = make(chan struct{})
	t.Cleanup(func() { close(hanging.hang) })

	p, _ := s.serve("--allow-private-upstreams")
	endpoints := map[*receiver]string{}
	for _, r := range []*receiver{redirecting, hanging, healthy} {
		var e struct{ ID, Secret string }
		s.cli(&e, "webhook", "add", "--url", r.url(), "--events", "member.created")
		r.setSecret(e.Secret)
		endpoints[r] = e.ID
	}
	s.cli(nil, "member", "add", "--email", "ada@example.org", "--name", "Ada")
	healthy.waitFor(30*time.Second, "the healthy endpoint's delivery", ofType(t, model.EventMemberCreated, true))
	redirecting.waitFor(30*time.Second, "the redirecting endpoint's delivery", ofType(t, model.EventMemberCreated, false))
	listed := func(r *receiver, ok func(code int, lastError string) bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			var ds []struct {
				Status           string `json:"status"`
				LastResponseCode int    `json:"last_response_code"`
				LastError        string `json:"last_error"`
			}
			s.cli(&ds, "webhook", "deliveries", endpoints[r])
			if len(ds) == 1 && ds[0].Status == "pending" && ok(ds[0].LastResponseCode, ds[0].LastError) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("deliveries of %s: %+v", r.url(), ds)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	listed(redirecting, func(code int, e string) bool {
		return code == http.StatusTemporaryRedirect && strings.Contains(e, "307")
	})
	listed(hanging, func(code int, e string) bool { return code == 0 && strings.Contains(e, "no answer in time") })
	if n := len(sink.deliveries()); n != 0 {
		t.Fatalf("the redirect was followed: the sink got %d requests", n)
	}
	stopBinary(t, p, syscall.SIGTERM)

	// The same receivers, now refused: the operator allows no private address.
	p, _ = s.serve()
	before := len(healthy.deliveries())
	var m struct{ ID string }
	s.cli(&m, "member", "add", "--email", "grace@example.org", "--name", "Grace")
	listed2 := func() bool {
		var ds []struct {
			LastError string `json:"last_error"`
			Attempts  int    `json:"attempts"`
		}
		s.cli(&ds, "webhook", "deliveries", endpoints[healthy])
		return len(ds) == 2 && ds[0].Attempts > 0 && strings.Contains(ds[0].LastError, "refused to contact")
	}
	deadline := time.Now().Add(30 * time.Second)
	for !listed2() {
		if time.Now().After(deadline) {
			t.Fatal("the refused delivery was never listed with its reason")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n := len(healthy.deliveries()); n != before {
		t.Fatalf("a private address was reached without the operator's allowance (%d requests)", n-before)
	}
	stopBinary(t, p, syscall.SIGTERM)
}
