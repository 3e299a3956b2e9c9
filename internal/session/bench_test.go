package session

import (
	"context"
	"testing"

	"github.com/guildgate/guildgate/internal/ids"
)

// BenchmarkSessionLookup measures Current, the work every signed-in request
// does (cookie → hash → session row → member row → liveness checks), beside
// BenchmarkSessionStoreGet, the bare session-row read it is built on, so the
// ratio of the two is the cost of everything but the database.
func BenchmarkSessionLookup(b *testing.B) {
	f := newFixture(b)
	_, cookie := f.start(b)
	r := request(f.tenant, cookie)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := f.m.Current(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSessionStoreGet(b *testing.B) {
	f := newFixture(b)
	_, cookie := f.start(b)
	id := ids.Hash(cookie.Value)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.st.Sessions().Get(ctx, f.tenant.ID, id); err != nil {
			b.Fatal(err)
		}
	}
}
