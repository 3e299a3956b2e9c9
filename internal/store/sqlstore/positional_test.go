package sqlstore

import (
	"strconv"
	"testing"
)

func TestPositional(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`INSERT INTO t (a, b) VALUES ($1, $2)`, `INSERT INTO t (a, b) VALUES (?, ?)`},
		{`SELECT COALESCE(m.email, '') FROM m WHERE a = $1 AND b = '$2' AND c = $2`,
			`SELECT COALESCE(m.email, '') FROM m WHERE a = ? AND b = '$2' AND c = ?`},
		{`SELECT "$1" FROM t WHERE a = $1`, `SELECT "$1" FROM t WHERE a = ?`},
		{`SELECT 1 FROM t`, `SELECT 1 FROM t`},
		{insertAuditEvent, `INSERT INTO audit_events (tenant_id, at, actor, action, target, ip, detail)
	VALUES (?, ?, ?, ?, ?, ?, ?)`},
		// Kept: a repeat, another order, a gap, other parameters, comments,
		// an unterminated quote, $ within a name or without a number.
		{`SELECT 1 FROM t WHERE a = $1 OR b = $1`, ``},
		{`UPDATE t SET c = $3 WHERE a = $1 AND b = $2`, ``},
		{`SELECT 1 FROM t WHERE a = $2`, ``},
		{`SELECT 1 FROM t WHERE a = $1 AND b = $3`, ``},
		{`SELECT 1 FROM t WHERE a = $01`, ``},
		{`SELECT 1 FROM t WHERE a = $1x`, ``},
		{`SELECT 1 FROM t WHERE a = $1 AND b = ?`, ``},
		{`SELECT 1 FROM t WHERE a = $1 AND b = :b`, ``},
		{`SELECT 1 FROM t WHERE a = $1 AND b = @b`, ``},
		{`SELECT 1 FROM t WHERE a = $1 -- $2`, ``},
		{`SELECT 1 FROM t WHERE a = $1 /* $2 */`, ``},
		{`SELECT 1 FROM t WHERE a = $1 AND b = 'x`, ``},
		{`SELECT a$1 FROM t`, ``},
		{`SELECT 1 FROM t WHERE a = $`, ``},
		{`SELECT 1 FROM t WHERE a = $1 AND b = $`, ``},
	} {
		want := tc.want
		if want == "" {
			want = tc.in
		}
		if got := positional(tc.in); got != want {
			t.Errorf("positional(%q) = %q, want %q", tc.in, got, want)
		}
	}
	var many string
	for i := 1; i <= 112; i++ {
		if i > 1 {
			many += ", "
		}
		many += "$" + strconv.Itoa(i)
	}
	if got := positional(many); len(got) != 112*3-2 {
		t.Errorf("112 parameters: %q", got)
	}
}
