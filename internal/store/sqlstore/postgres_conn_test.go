package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/jackc/pgx/v5/pgconn"
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
// row) is one round trip, a code exchange's (consume the code, store the
// refresh token and the audit row) two and a refresh's (use the token,
// store its successor and the audit row) two; a transaction's first query
// carries its BEGIN and what it holds back, and reads it; a held row the
// server refuses fails the commit, or the query that carries it, and rolls
// the whole transaction back; a transaction that fails before sending anything
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
	if err != nil || n != 2 { // BEGIN and UPDATE … RETURNING; INSERT, audit row and COMMIT
		t.Fatalf("code exchange: %d round trips, %v; want 2, nil", n, err)
	}
	if _, err := s.RefreshTokens().Get(ctx, tn.ID, rt.Hash); err != nil {
		t.Errorf("refresh token of the committed exchange: %v", err)
	}

	next := rt
	next.Hash = rand.Text()
	n, err = trips(func(tx store.Tx) error {
		if u, first, err := tx.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, now, true); err != nil || !first || u.Access == nil {
			return fmt.Errorf("use the refresh token: first %v, access %v, %v", first, u.Access, err)
		}
		if err := tx.RefreshTokens().Create(ctx, next); err != nil {
			return err
		}
		return tx.Audit().Append(ctx, event("test.refresh"))
	})
	if err != nil || n != 2 { // BEGIN and UPDATE … RETURNING with the grant and member; INSERT, audit row and COMMIT
		t.Fatalf("refresh: %d round trips, %v; want 2, nil", n, err)
	}

	read := grant()
	n, err = trips(func(tx store.Tx) error {
		if err := tx.Grants().Create(ctx, read); err != nil {
			return err
		}
		if got, err := tx.Grants().Get(ctx, tn.ID, read.ID); err != nil || got.ClientID != c.ID {
			return fmt.Errorf("the transaction reads its held grant: %+v, %v", got, err)
		}
		return nil
	})
	if err != nil || n != 2 { // BEGIN, INSERT and SELECT; COMMIT
		t.Fatalf("a held grant read back: %d round trips, %v; want 2, nil", n, err)
	}

	first := grant()
	n, err = trips(func(tx store.Tx) error {
		if _, err := tx.Grants().Get(ctx, tn.ID, first.ID); !errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("a grant not yet created: %v, want not found", err)
		}
		return tx.Grants().Create(ctx, first)
	})
	if err != nil || n != 2 { // BEGIN and SELECT; INSERT and COMMIT
		t.Fatalf("a read, then a held grant: %d round trips, %v; want 2, nil", n, err)
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

	// A held row the server refuses, then a read: the read carries it and
	// fails with its error, and the transaction rolls back.
	unread := grant()
	_, err = trips(func(tx store.Tx) error {
		if err := tx.Grants().Create(ctx, unread); err != nil {
			return err
		}
		if err := tx.AuthCodes().Create(ctx, code(orphan)); err != nil {
			return err
		}
		_, err := tx.Grants().Get(ctx, tn.ID, unread.ID)
		return err
	})
	if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "23503" {
		t.Fatalf("read after a refused held row: %v, want the foreign-key violation", err)
	}
	if _, err := s.Grants().Get(ctx, tn.ID, unread.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("grant of the transaction whose read failed: %v, want not found (rolled back)", err)
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
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("audit rows %+v, %v; want the authorization's, the exchange's and the refresh's", page.Items, err)
	}
}

// TestPostgresBatchRowsAsStdlib: a transaction's first query, sent in one
// round trip with its BEGIN and read from pgx's batch, gives database/sql
// the same values, NULLs included, as the same query through pgx's own
// database/sql driver, for the types the store reads (text, bigint,
// boolean, json) and more, on several rows and none; types it cannot give
// the same text for fail; a failing query is the query's error and leaves
// the connection to the next transaction.
func TestPostgresBatchRowsAsStdlib(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	s := onePooledPostgres(t, dsn)
	plain, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = plain.Close() })
	ctx := t.Context()
	const q = `SELECT n, n::int2, n::int4, n % 2 = 0, NULL::boolean, NULL::bigint, NULL::text,
		'row ' || n, 'é\x'::text, ''::text, decode('00ff' || lpad(to_hex(n), 2, '0'), 'hex'), ''::bytea,
		1.5::float4 * n, 2.25::float8 * n, '{"a": [1, null]}'::json, '{"b": {"c": true}}'::jsonb,
		'2026-12-07 10:00:00.123456+00'::timestamptz + n * interval '1 day',
		'2026-12-07 10:00:00'::timestamp, '2026-12-07'::date, 'infinity'::timestamptz, 42::oid,
		1.25::numeric * n, '6b8f6f8e-7c1d-4c3a-9f4b-2d1e0a9b8c7d'::uuid, 
		'<a/>'::xml, n::text::varchar(8), 'x'::char(3)
		FROM generate_series(1, $1::int) AS n ORDER BY 1`
	read := func(rows *sql.Rows, err error) ([][]any, error) {
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		var all [][]any
		for rows.Next() {
			row := make([]any, len(cols))
			dest := make([]any, len(cols))
			for i := range row {
				dest[i] = &row[i]
			}
			if err := rows.Scan(dest...); err != nil {
				return nil, err
			}
			all = append(all, row)
		}
		return all, rows.Err()
	}
	for _, n := range []int{3, 0} {
		want, err := read(plain.QueryContext(ctx, q, n))
		if err != nil {
			t.Fatal(err)
		}
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		before := s.PostgresRoundTrips()
		got, err := read(tx.QueryContext(ctx, q, n))
		if trips := s.PostgresRoundTrips() - before; err != nil || trips != 1 {
			t.Fatalf("%d rows: %d round trips, %v; want 1, nil", n, trips, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if len(got) != n || !reflect.DeepEqual(got, want) {
			t.Errorf("%d rows through the batch:\n%#v\nwant (pgx's driver):\n%#v", n, got, want)
		}
	}

	// An array or an interval comes in pgx's binary form, which has no
	// text scan: the read fails rather than give other text than stdlib's.
	for _, q := range []string{`SELECT ARRAY['a', 'b c']::text[]`, `SELECT interval '1 day 2 hours'`} {
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := read(tx.QueryContext(ctx, q)); err == nil {
			t.Errorf("%s through the batch: %#v, want an error", q, got)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
	}

	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = read(tx.QueryContext(ctx, `SELECT 1 / $1::int`, 0))
	if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "22012" {
		t.Errorf("failing first query: %v, want division by zero", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var one int
	if err := s.DB().QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Errorf("the connection after the failed query: %d, %v", one, err)
	}
}
