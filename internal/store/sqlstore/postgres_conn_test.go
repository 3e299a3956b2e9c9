package sqlstore_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestPostgresAuditSentWithCommit: an audit row appended in a transaction
// (held back and sent with its COMMIT on PostgreSQL) is read back by the
// transaction itself, commits with its change, and when the server refuses
// it (a tenant that does not exist) the transaction fails with the
// foreign-key error and its change is rolled back; the one pooled
// connection then serves the next transaction.
func TestPostgresAuditSentWithCommit(t *testing.T) {
	s := onePooledPostgres(t, storetest.PostgresDSN(t))
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := oneTenant(t, s, now)
	member := func(email string) model.Member {
		return model.Member{ID: rand.Text(), TenantID: tn.ID, Email: email, Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
	}
	event := func(tenant, target string) model.AuditEvent {
		return model.AuditEvent{TenantID: tenant, At: now, Actor: "test", Action: "test.commit", Target: target, Detail: map[string]string{}}
	}

	bad := member("bad@example.org")
	err := s.Atomic(ctx, func(tx store.Tx) error {
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

// TestPostgresHeldBack: inside a transaction BEGIN waits for the first
// statement and new rows (grant, code, refresh token, audit) for the next
// one or the COMMIT, so the authorization's transaction (grant, code, audit
// row) is one round trip and a code exchange's (consume the code, store the
// refresh token and the audit row) three; a transaction reads what it
// holds back; a held row the server refuses fails the commit and rolls the
// whole transaction back; a transaction that fails before sending anything
// costs nothing and leaves nothing; the one pooled connection serves each
// next transaction.
func TestPostgresHeldBack(t *testing.T) {
	s := onePooledPostgres(t, storetest.PostgresDSN(t))
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := oneTenant(t, s, now)
	m := model.Member{ID: "m-1", TenantID: tn.ID, Email: "ada@example.org", Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
	c := model.Client{ID: "client-1", TenantID: tn.ID, Name: "RP", RedirectURIs: []string{"https://rp.example/cb"},
		IDTokenAlg: model.AlgRS256, GrantTypes: []string{model.GrantAuthorizationCode, model.GrantRefreshToken},
		Secrets: []model.ClientSecret{{Ciphertext: "v1.k1.c2VjcmV0", CreatedAt: now}}, CreatedAt: now, UpdatedAt: now}
	for _, err := range []error{s.Members().Create(ctx, m), s.Clients().Create(ctx, c)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	grant := func() model.Grant {
		return model.Grant{ID: rand.Text(), TenantID: tn.ID, ClientID: c.ID, MemberID: m.ID, Scopes: []string{"openid"},
			AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	code := func(g model.Grant) model.AuthCode {
		return model.AuthCode{Hash: rand.Text(), TenantID: tn.ID, GrantID: g.ID, ClientID: c.ID, MemberID: m.ID,
			RedirectURI: "https://rp.example/cb", Scopes: g.Scopes, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	}
	event := func(action string) model.AuditEvent {
		return model.AuditEvent{TenantID: tn.ID, At: now, Actor: "test", Action: action, Target: "t", Detail: map[string]string{}}
	}
	// trips runs fn in a transaction and returns the round trips it took and Atomic's error.
	trips := func(fn func(tx store.Tx) error) (int64, error) {
		before := s.PostgresRoundTrips()
		err := s.Atomic(ctx, fn)
		return s.PostgresRoundTrips() - before, err
	}

	g, ac := grant(), model.AuthCode{}
	n, err := trips(func(tx store.Tx) error {
		ac = code(g)
		if err := tx.Grants().Create(ctx, g); err != nil {
			return err
		}
		if err := tx.AuthCodes().Create(ctx, ac); err != nil {
			return err
		}
		return tx.Audit().Append(ctx, event("test.authorize"))
	})
	if err != nil || n != 1 {
		t.Fatalf("grant, code and audit row: %d round trips, %v; want 1, nil", n, err)
	}

	rt := model.RefreshToken{Hash: rand.Text(), TenantID: tn.ID, GrantID: g.ID, ClientID: c.ID, MemberID: m.ID,
		Scopes: g.Scopes, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	n, err = trips(func(tx store.Tx) error {
		if _, first, err := tx.AuthCodes().Consume(ctx, tn.ID, ac.Hash, now); err != nil || !first {
			return fmt.Errorf("consume the code: first %v, %v", first, err)
		}
		if err := tx.RefreshTokens().Create(ctx, rt); err != nil {
			return err
		}
		return tx.Audit().Append(ctx, event("test.exchange"))
	})
	if err != nil || n != 3 { // BEGIN; UPDATE … RETURNING; INSERT, audit row and COMMIT
		t.Fatalf("code exchange: %d round trips, %v; want 3, nil", n, err)
	}
	if _, err := s.RefreshTokens().Get(ctx, tn.ID, rt.Hash); err != nil {
		t.Errorf("refresh token of the committed exchange: %v", err)
	}

	read := grant()
	err = s.Atomic(ctx, func(tx store.Tx) error {
		if err := tx.Grants().Create(ctx, read); err != nil {
			return err
		}
		if got, err := tx.Grants().Get(ctx, tn.ID, read.ID); err != nil || got.ClientID != c.ID {
			return fmt.Errorf("the transaction reads its held grant: %+v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	orphan := grant()
	kept := grant()
	_, err = trips(func(tx store.Tx) error {
		if err := tx.Grants().Create(ctx, kept); err != nil {
			return err
		}
		return tx.AuthCodes().Create(ctx, code(orphan)) // its grant does not exist
	})
	if !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("transaction with a refused held row: %v, want ErrNotFound from the commit", err)
	}
	if _, err := s.Grants().Get(ctx, tn.ID, kept.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("grant of the refused transaction: %v, want not found (rolled back)", err)
	}

	abandoned := grant()
	n, err = trips(func(tx store.Tx) error {
		if err := tx.Grants().Create(ctx, abandoned); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if err == nil || n != 0 {
		t.Fatalf("transaction abandoned before it sent anything: %d round trips, %v; want 0 and its error", n, err)
	}
	if _, err := s.Grants().Get(ctx, tn.ID, abandoned.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("grant of the abandoned transaction: %v, want not found", err)
	}
	if n, err := trips(func(store.Tx) error { return nil }); err != nil || n != 0 {
		t.Errorf("empty transaction: %d round trips, %v; want 0, nil", n, err)
	}
	page, err := s.Audit().List(ctx, tn.ID, store.AuditQuery{Action: "test."})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("audit rows %+v, %v; want the authorization's and the exchange's", page.Items, err)
	}
}
