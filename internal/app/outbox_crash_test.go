package app_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestOutboxSurvivesKill9: a mail committed with the change that causes it
// (a forgot-password request) while no replica may deliver it (the jobs
// lease is held elsewhere), then the server killed with SIGKILL, is sent
// once after a restart, on SQLite and PostgreSQL.
func TestOutboxSurvivesKill9(t *testing.T) {
	t.Parallel() // its own binaries, data and ports: see TestBinary
	bin := testenv.BuildBinary(t, "")
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			dsn := filepath.Join(dir, dataDir, "guildgate.db")
			if backend == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			mp := testenv.StartMailpit(t, testenv.MailpitOptions{Plain: true})
			mustRunBinary(t, bin, dir, "correct horse battery\n", "member", "add", "--database", dsn,
				"--email", "ada@example.org", "--name", "Ada", "--password-stdin")
			st, err := sqlstore.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if held, err := st.Leases().Acquire(t.Context(), "jobs", "elsewhere", time.Hour, time.Now()); err != nil || !held {
				t.Fatalf("hold the jobs lease: %v %v", held, err)
			}
			args := []string{"--database", dsn, "--smtp-url", "smtp://" + mp.SMTP, "--mail-from", "sso@guild.example"}

			addr := testenv.FreeAddr(t)
			p := serveBinary(t, bin, dir, addr, args...)
			c := tlsClient(t, waitHealthyTLS(t, p, filepath.Join(dir, dataDir), addr), addr)
			askReset(t, c, "ada@example.org")
			items := outboxItems(t, st)
			if len(items) != 1 || items[0].Status != model.OutboxPending || items[0].Attempts != 0 {
				t.Fatalf("outbox before the kill: %+v", items)
			}
			p.Signal(t, syscall.SIGKILL)
			p.Wait(t, 10*time.Second)
			if err := st.Leases().Release(t.Context(), "jobs", "elsewhere"); err != nil {
				t.Fatal(err)
			}

			addr = testenv.FreeAddr(t)
			p = serveBinary(t, bin, dir, addr, args...)
			waitHealthyTLS(t, p, filepath.Join(dir, dataDir), addr)
			mp.WaitFor(t, "ada@example.org", 1, 30*time.Second)
			deadline := time.Now().Add(20 * time.Second)
			for outboxItems(t, st)[0].Status != model.OutboxSent {
				if time.Now().After(deadline) {
					t.Fatalf("the item was never marked sent: %+v", outboxItems(t, st))
				}
				time.Sleep(50 * time.Millisecond)
			}
			if n := len(mp.Messages(t)); n != 1 {
				t.Fatalf("%d mails arrived, want exactly 1", n)
			}
		})
	}
}

func outboxItems(t *testing.T, st *sqlstore.Store) []model.OutboxItem {
	t.Helper()
	def, err := st.Tenants().GetBySlug(context.Background(), model.DefaultTenantSlug)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Outbox().List(context.Background(), def.ID, store.OutboxQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

var csrfValue = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// askReset submits the forgot-password form.
func askReset(t *testing.T, c *http.Client, email string) {
	t.Helper()
	resp, err := c.Get("https://localhost/account/forgot")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfValue.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no form on /account/forgot: %d\n%s", resp.StatusCode, body)
	}
	resp, err = c.PostForm("https://localhost/account/forgot", url.Values{"csrf_token": {html.UnescapeString(string(m[1]))}, "email": {email}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("forgot: %d", resp.StatusCode)
	}
}
