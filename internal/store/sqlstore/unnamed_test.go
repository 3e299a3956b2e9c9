package sqlstore

import "testing"

// TestUnnamed: every expression is named "_" and only a bare column gets
// the unary plus; the text between them is kept.
func TestUnnamed(t *testing.T) {
	got := unnamed("rt.grant_id, COALESCE(m.email, ''), m.id IS NOT NULL,\n\tgt.revoked_at, max(a.b, c.d), x, a.b.c")
	want := "+rt.grant_id AS _, COALESCE(m.email, '') AS _, m.id IS NOT NULL AS _,\n\t+gt.revoked_at AS _, max(a.b, c.d) AS _, x AS _, a.b.c AS _"
	if got != want {
		t.Errorf("unnamed = %q\nwant      %q", got, want)
	}
}
