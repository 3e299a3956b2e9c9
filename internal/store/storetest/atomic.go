package storetest

import (
	"fmt"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var atomicTests = []testCase{
	{"Atomic/CommitsTogether", testAtomicCommit},
	{"Atomic/ErrorRollsBackEverything", testAtomicRollback},
	{"Atomic/PanicRollsBack", testAtomicPanic},
	{"Atomic/InvisibleUntilCommit", testAtomicIsolation},
	{"Atomic/ConcurrentReadModifyWrite", testAtomicConcurrent},
}

// atomicEvent is an audit row written inside a transaction, the way a change
// and its record (or its outbox row) are written together.
func atomicEvent(tenantID, action string) model.AuditEvent {
	return model.AuditEvent{TenantID: tenantID, At: t0, Actor: "system", Action: action,
		Target: "member:x", Detail: map[string]string{}}
}

func auditActions(t *testing.T, s store.Store, tenantID string) []string {
	t.Helper()
	p, err := s.Audit().List(t.Context(), tenantID, store.AuditQuery{})
	ok(t, err)
	var out []string
	for _, e := range p.Items {
		out = append(out, e.Action)
	}
	return out
}

// testAtomicCommit writes through several aggregates, including a nested
// read-modify-write, and reads its own writes inside the transaction.
func testAtomicCommit(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	old := mkMember(t, s, tn.ID, "old@example.com")
	fresh := model.Member{ID: newID(), TenantID: tn.ID, Email: "new@example.com",
		Status: model.StatusCurrent, CreatedAt: t0, UpdatedAt: t0}
	err := s.Atomic(t.Context(), func(tx store.Tx) error {
		if err := tx.Members().Create(t.Context(), fresh); err != nil {
			return err
		}
		if _, err := tx.Members().Update(t.Context(), tn.ID, old.ID, func(m model.Member) (model.Member, error) {
			m.Name = "renamed"
			return m, nil
		}); err != nil {
			return err
		}
		got, err := tx.Members().Get(t.Context(), tn.ID, fresh.ID)
		if err != nil {
			return err
		}
		expect(t, got.Email, fresh.Email)
		return tx.Audit().Append(t.Context(), atomicEvent(tn.ID, "member.create"))
	})
	ok(t, err)
	_, err = s.Members().Get(t.Context(), tn.ID, fresh.ID)
	ok(t, err)
	got, err := s.Members().Get(t.Context(), tn.ID, old.ID)
	ok(t, err)
	equal(t, got.Name, "renamed")
	equal(t, auditActions(t, s, tn.ID), []string{"member.create"})
}

// testAtomicRollback fails after writes of every kind, so none may remain.
func testAtomicRollback(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	old := mkMember(t, s, tn.ID, "old@example.com")
	fresh := model.Member{ID: newID(), TenantID: tn.ID, Email: "new@example.com",
		Status: model.StatusCurrent, CreatedAt: t0, UpdatedAt: t0}
	err := s.Atomic(t.Context(), func(tx store.Tx) error {
		ok(t, tx.Members().Create(t.Context(), fresh))
		_, err := tx.Members().Update(t.Context(), tn.ID, old.ID, func(m model.Member) (model.Member, error) {
			m.Name = "renamed"
			return m, nil
		})
		ok(t, err)
		ok(t, tx.Audit().Append(t.Context(), atomicEvent(tn.ID, "member.create")))
		return fmt.Errorf("later step: %w", errBoom)
	})
	wantErr(t, err, errBoom)
	assertUntouched(t, s, tn.ID, old, fresh.ID)
}

// testAtomicPanic proves a panic rolls back and releases the transaction:
// a write afterwards must not wait for it.
func testAtomicPanic(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	old := mkMember(t, s, tn.ID, "old@example.com")
	freshID := newID()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Atomic swallowed the panic")
			}
		}()
		_ = s.Atomic(t.Context(), func(tx store.Tx) error {
			ok(t, tx.Members().Create(t.Context(), model.Member{ID: freshID, TenantID: tn.ID,
				Email: "new@example.com", Status: model.StatusCurrent, CreatedAt: t0, UpdatedAt: t0}))
			panic("boom")
		})
	}()
	assertUntouched(t, s, tn.ID, old, freshID)
	mkMember(t, s, tn.ID, "after@example.com")
}

// assertUntouched checks that a failed transaction left old as it was,
// created no member freshID and appended no audit event.
func assertUntouched(t *testing.T, s store.Store, tenantID string, old model.Member, freshID string) {
	t.Helper()
	_, err := s.Members().Get(t.Context(), tenantID, freshID)
	wantErr(t, err, model.ErrNotFound)
	got, err := s.Members().Get(t.Context(), tenantID, old.ID)
	ok(t, err)
	equal(t, got, old)
	equal(t, auditActions(t, s, tenantID), []string(nil))
}

// testAtomicIsolation reads through the store (another connection) while
// the transaction is open: none of its writes may show before the commit.
func testAtomicIsolation(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	old := mkMember(t, s, tn.ID, "old@example.com")
	freshID := newID()
	err := s.Atomic(t.Context(), func(tx store.Tx) error {
		ok(t, tx.Members().Create(t.Context(), model.Member{ID: freshID, TenantID: tn.ID,
			Email: "new@example.com", Status: model.StatusCurrent, CreatedAt: t0, UpdatedAt: t0}))
		_, err := tx.Members().Update(t.Context(), tn.ID, old.ID, func(m model.Member) (model.Member, error) {
			m.Name = "renamed"
			return m, nil
		})
		ok(t, err)
		ok(t, tx.Audit().Append(t.Context(), atomicEvent(tn.ID, "member.create")))
		assertUntouched(t, s, tn.ID, old, freshID)
		return nil
	})
	ok(t, err)
	got, err := s.Members().Get(t.Context(), tn.ID, old.ID)
	ok(t, err)
	equal(t, got.Name, "renamed")
	_, err = s.Members().Get(t.Context(), tn.ID, freshID)
	ok(t, err)
}

// testAtomicConcurrent races transactions that each read a counter and write
// it plus an audit row: every increment and every row must survive.
func testAtomicConcurrent(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	const key = "ip:192.0.2.1"
	raceN(t, 8, func(int) error {
		return s.Atomic(t.Context(), func(tx store.Tx) error {
			if _, err := tx.Throttles().Update(t.Context(), tn.ID, key, func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
				c.Tokens++
				return c, nil
			}); err != nil {
				return err
			}
			return tx.Audit().Append(t.Context(), atomicEvent(tn.ID, "throttle.hit"))
		})
	})
	got, err := s.Throttles().Update(t.Context(), tn.ID, key, func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		return c, nil
	})
	ok(t, err)
	equal(t, got.Tokens, 8.0)
	equal(t, len(auditActions(t, s, tn.ID)), 8)
}
