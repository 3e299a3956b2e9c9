package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestPostgresCancelKeepsTheConnection: a request whose client hangs up
// (its context cancelled) while its statement waits in PostgreSQL (a
// write, or a query sent with its transaction's BEGIN and held writes), or
// between the statements of its transaction, gets an error and leaves
// nothing half-written, and the pool keeps its connection: the same
// backend answers afterwards. Losing it would cost the server a reconnect
// (a new backend, every statement prepared again) per hang-up.
func TestPostgresCancelKeepsTheConnection(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	s := onePooledPostgres(t, dsn)
	tn := model.Tenant{ID: rand.Text(), Slug: "alpha", Name: "Alpha", Issuer: "https://alpha.idp.example",
		AfterLogoutURL: "https://alpha.example/", CreatedAt: time.Unix(1700000000, 0).UTC(), UpdatedAt: time.Unix(1700000000, 0).UTC()}
	if err := s.Tenants().Create(t.Context(), tn); err != nil {
		t.Fatal(err)
	}
	// A second session holds the audit table, so an append waits in the
	// server until the test's context is cancelled.
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	hold := func(t *testing.T) func() {
		t.Helper()
		lock, err := admin.BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lock.ExecContext(t.Context(), `LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		return func() { _ = lock.Rollback() }
	}
	event := func(action string) model.AuditEvent {
		return model.AuditEvent{TenantID: tn.ID, At: time.Now(), Actor: "system", Action: action, Target: "tenant:" + tn.ID, Detail: map[string]string{}}
	}
	member := func(email string) model.Member {
		now := time.Now()
		return model.Member{ID: rand.Text(), TenantID: tn.ID, Email: email, Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
	}

	cases := []struct {
		name string
		run  func(ctx context.Context, cancel context.CancelFunc, m model.Member) error
		held bool // the audit table is locked, so the append waits in the server
	}{
		{"StatementInTransaction", func(ctx context.Context, cancel context.CancelFunc, m model.Member) error {
			return s.Atomic(ctx, func(tx store.Tx) error {
				if err := tx.Members().Create(ctx, m); err != nil {
					return err
				}
				time.AfterFunc(100*time.Millisecond, cancel)
				return tx.Audit().Append(ctx, event("waits"))
			})
		}, true},
		{"QueryInTransaction", func(ctx context.Context, cancel context.CancelFunc, m model.Member) error {
			return s.Atomic(ctx, func(tx store.Tx) error {
				if err := tx.Members().Create(ctx, m); err != nil {
					return err
				}
				time.AfterFunc(100*time.Millisecond, cancel)
				_, err := tx.Audit().List(ctx, tn.ID, store.AuditQuery{})
				return err
			})
		}, true},
		{"BetweenStatements", func(ctx context.Context, cancel context.CancelFunc, m model.Member) error {
			return s.Atomic(ctx, func(tx store.Tx) error {
				if err := tx.Members().Create(ctx, m); err != nil {
					return err
				}
				cancel()
				return tx.Audit().Append(ctx, event("after the hang-up"))
			})
		}, false},
		{"PlainStatement", func(ctx context.Context, cancel context.CancelFunc, _ model.Member) error {
			time.AfterFunc(100*time.Millisecond, cancel)
			return s.Audit().Append(ctx, event("waits alone"))
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := member(c.name + "@example.org")
			pid := backendPID(t, s)
			if c.held {
				release := hold(t)
				defer release()
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			err := c.run(ctx, cancel, m)
			if err == nil {
				t.Fatal("the cancelled work succeeded")
			}
			if _, err := s.Members().Get(t.Context(), tn.ID, m.ID); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("member written before the cancel: %v, want not found (rolled back)", err)
			}
			if got := backendPID(t, s); got != pid {
				t.Errorf("backend %d after the cancel, want %d: the pool lost its connection", got, pid)
			}
		})
	}
	page, err := s.Audit().List(t.Context(), tn.ID, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 0 {
		t.Errorf("%d audit rows written by cancelled work, want none", len(page.Items))
	}
}

// backendPID is the PostgreSQL backend serving the store's (one) pooled
// connection.
func backendPID(t *testing.T, s *sqlstore.Store) int {
	t.Helper()
	var pid int
	if err := s.DB().QueryRowContext(t.Context(), `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	return pid
}

// onePooledPostgres is a migrated PostgreSQL store at dsn whose pool has
// one connection, so a test sees what one connection is left with.
func onePooledPostgres(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), dsn+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}
