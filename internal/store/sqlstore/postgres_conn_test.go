package sqlstore_test

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestPostgresAuditSentWithCommit: an audit row appended in a transaction
// (held back and sent with its COMMIT on PostgreSQL) is read back by the
// transaction itself, commits with its change, and when the server refuses
// it (a tenant that does not exist) the transaction fails with the
// foreign-key error and its change is rolled back; the one pooled
// connection then serves the next transaction.
func TestPostgresAuditSentWithCommit(t *testing.T) {
	s, err := sqlstore.Open(t.Context(), storetest.PostgresDSN(t)+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := model.Tenant{ID: "t-1", Slug: "one", Name: "One", Issuer: "https://one.idp.example",
		AfterLogoutURL: "https://one.example/", CreatedAt: now, UpdatedAt: now}
	if err := s.Tenants().Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	member := func(email string) model.Member {
		return model.Member{ID: rand.Text(), TenantID: tn.ID, Email: email, Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
	}
	event := func(tenant, target string) model.AuditEvent {
		return model.AuditEvent{TenantID: tenant, At: now, Actor: "test", Action: "test.commit", Target: target, Detail: map[string]string{}}
	}

	bad := member("bad@example.org")
	err = s.Atomic(ctx, func(tx store.Tx) error {
		if err := tx.Members().Create(ctx, bad); err != nil {
			return err
		}
		return tx.Audit().Append(ctx, event("no-such-tenant", "bad"))
	})
	if !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("transaction with a refused audit row: %v, want ErrNotFound", err)
	}
	if _, err := s.Members().Get(ctx, tn.ID, bad.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("member of the failed transaction: %v, want not found (rolled back)", err)
	}

	good := member("good@example.org")
	err = s.Atomic(ctx, func(tx store.Tx) error {
		if err := tx.Members().Create(ctx, good); err != nil {
			return err
		}
		if err := tx.Audit().Append(ctx, event(tn.ID, "first")); err != nil {
			return err
		}
		page, err := tx.Audit().List(ctx, tn.ID, store.AuditQuery{Action: "test.commit"})
		if err != nil {
			return err
		}
		if len(page.Items) != 1 || page.Items[0].Target != "first" {
			t.Errorf("the transaction reads %+v, want its own row", page.Items)
		}
		return tx.Audit().Append(ctx, event(tn.ID, "second"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Members().Get(ctx, tn.ID, good.ID); err != nil {
		t.Errorf("member of the committed transaction: %v", err)
	}
	page, err := s.Audit().List(ctx, tn.ID, store.AuditQuery{Action: "test.commit"})
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, e := range page.Items {
		targets = append(targets, e.Target)
	}
	if len(targets) != 2 || targets[0] != "second" || targets[1] != "first" {
		t.Errorf("audit rows %v, want [second first]", targets)
	}
}
