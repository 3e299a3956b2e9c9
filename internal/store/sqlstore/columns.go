package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// Column encodings the OAuth tables share, each decided in one place.

// clientKey is the stored form of a client id. Partners often upper-case the
// GUID they were given, so every call lower-cases the id it receives rather
// than trusting each caller to remember. Whitespace is not trimmed: a
// client_id with spaces around it is not the registered one.
func clientKey(id string) string { return strings.ToLower(id) }

// jsonList encodes a list column as a JSON array. nil and empty both become
// "[]" and read back as nil, so a stored list never tells "none" from
// "empty": callers test len, never nil.
// Written by hand (oauth.AppendJSONStrings: encoding/json's bytes), for
// every grant, code and refresh token stored.
func jsonList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	n := 2
	for _, s := range l {
		n += len(s) + 3
	}
	return string(oauth.AppendJSONStrings(make([]byte, 0, n), l))
}

func parseList(s string) ([]string, error) {
	if l, ok := plainList(s); ok {
		return l, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("list column: %w", err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// plainList reads the lists jsonList writes for scopes, AMR and ids
// (compact, no escapes, valid UTF-8: `["openid","email"]`) without
// encoding/json, which every grant, code and token read paid; ok is false
// for anything else (spaces, escapes, a malformed value), which
// json.Unmarshal then reads or refuses as before.
func plainList(s string) ([]string, bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	inner := s[1 : len(s)-1]
	if inner == "" {
		return nil, true
	}
	if len(inner) < 2 || inner[0] != '"' || inner[len(inner)-1] != '"' || !utf8.ValidString(inner) {
		return nil, false
	}
	l := strings.Split(inner[1:len(inner)-1], `","`)
	for _, v := range l {
		for i := 0; i < len(v); i++ {
			if c := v[i]; c < 0x20 || c == '"' || c == '\\' {
				return nil, false
			}
		}
	}
	return l, true
}

// jsonValue encodes a structured column (a claim mapping, a group map):
// plain structs of strings, which always marshal.
func jsonValue(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func parseJSON(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("json column: %w", err)
	}
	return nil
}

// nullIfEmpty stores "" as NULL in a column with a nullable foreign key, so
// "no member" leaves the key unchecked instead of naming member "". Reading
// such a column into a sql.NullString gives "" back for NULL.
func nullIfEmpty(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// nullMicros stores the zero time as NULL in the columns that mean "not yet"
// (consumed_at, used_at, revoked_at): the statements that redeem or revoke
// test IS NULL, which no time value can imitate.
func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}

func fromNullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}

// errZeroTime refuses to mark a row used or revoked at the zero time: the row
// would then read back as never used or never revoked.
var errZeroTime = errors.New("a zero time cannot mark a row used or revoked")

// The rows of the versions table. Every write to the aggregate bumps its row
// inside the write's own transaction, so a reader never sees new data with an
// old version.
const (
	clientsVersion = "clients"
	keysVersion    = "keys"
)

func (s *Store) bumpVersion(ctx context.Context, tx *sql.Tx, name string) error {
	n, err := s.exec(ctx, tx, `UPDATE versions SET version = version + 1 WHERE name = $1`, name)
	if err == nil && n != 1 {
		err = fmt.Errorf("versions row %q missing", name)
	}
	return err
}

func (s *Store) version(ctx context.Context, name string) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM versions WHERE name = $1`, name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("%s version: %w", name, err)
	}
	return v, nil
}

// consumeOnce marks one row used and returns it, for AuthCodes.Consume and
// RefreshTokens.Use. The conditional UPDATE … RETURNING is the whole
// decision: on both databases exactly one statement can move the row from
// NULL to a time, so two replicas can never both redeem it. Only when it
// matched nothing does a plain read tell "used before" (first is false) from
// "no such row".
func consumeOnce[T any](ctx context.Context, s *Store, table, col, cols string,
	scan func(scanner) (T, error), tenantID, hash string, at time.Time) (T, bool, error) {
	var zero T
	if at.IsZero() {
		return zero, false, errZeroTime
	}
	v, err := scan(s.db.QueryRowContext(ctx, `UPDATE `+table+` SET `+col+` = $3
		WHERE tenant_id = $1 AND hash = $2 AND `+col+` IS NULL RETURNING `+cols,
		tenantID, hash, micros(at)))
	if err == nil {
		return v, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return zero, false, err
	}
	v, err = scan(s.db.QueryRowContext(ctx, `SELECT `+cols+` FROM `+table+`
		WHERE tenant_id = $1 AND hash = $2`, tenantID, hash))
	if err != nil {
		return zero, false, notFound(err)
	}
	return v, false, nil
}

// markOnce is consumeOnce without the row: one UPDATE that sets col, the
// same atomic decision, and only when it matched nothing a lookup that
// tells a value used before (first is false) from a missing one
// (model.ErrNotFound).
func markOnce(ctx context.Context, s *Store, table, col, tenantID, hash string, at time.Time) (bool, error) {
	if at.IsZero() {
		return false, errZeroTime
	}
	n, err := s.exec(ctx, s.db, `UPDATE `+table+` SET `+col+` = $1
		WHERE tenant_id = $2 AND hash = $3 AND `+col+` IS NULL`, micros(at), tenantID, hash)
	switch {
	case err != nil:
		return false, err
	case n > 0:
		return true, nil
	}
	var one int
	if err := s.db.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE tenant_id = $1 AND hash = $2`,
		tenantID, hash).Scan(&one); err != nil {
		return false, notFound(err)
	}
	return false, nil
}

// revokeOnce sets revoked_at on one row of table (grants, api_keys) in one
// statement that keeps the earlier of the stored and the new time, so
// repeated or concurrent revocations agree on when it happened. Both
// databases count a matched row as affected even when its value stays,
// which is how a missing row is told from one revoked before. what names
// the row in the error.
func revokeOnce(ctx context.Context, s *Store, table, what, tenantID, id string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("revoke %s: %w", what, errZeroTime)
	}
	n, err := s.exec(ctx, s.db, `UPDATE `+table+` SET revoked_at =
		CASE WHEN revoked_at IS NULL OR revoked_at > $3 THEN $3 ELSE revoked_at END
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, micros(at))
	if err == nil && n == 0 {
		err = model.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("revoke %s: %w", what, err)
	}
	return nil
}

// deleteExpired is the background sweeper's statement for a table of
// short-lived rows: every tenant's rows that expired before before go.
// what names them in the error.
func deleteExpired(ctx context.Context, s *Store, table, what string, before time.Time) (int64, error) {
	n, err := s.exec(ctx, s.db, `DELETE FROM `+table+` WHERE expires_at < $1`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("delete expired %s: %w", what, err)
	}
	return n, nil
}

// updateRow is the skeleton every Update shares, inside one transaction:
// read takes the row under lock, fn makes the caller's change, changed
// refuses one that touched an identity field (errImmutable), and write stores
// it and returns what Update hands back (the row read again, or the value
// written). what names the row in the error.
func updateRow[T any](ctx context.Context, s *Store, what string, read func(*sql.Tx) (T, error),
	fn func(T) (T, error), changed func(old, v T) bool, write func(*sql.Tx, T) (T, error)) (T, error) {
	var out T
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := read(tx)
		if err != nil {
			return err
		}
		v, err := fn(old)
		if err != nil {
			return err
		}
		if changed(old, v) {
			return errImmutable
		}
		out, err = write(tx, v)
		return err
	})
	if err != nil {
		var zero T
		return zero, fmt.Errorf("update %s: %w", what, err)
	}
	return out, nil
}
