package keys

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// The same lifecycle on the real store, SQLite always and PostgreSQL when
// GUILDGATE_TEST_POSTGRES is set: its tenant lock, its diff and its
// one-current-key index must agree with what the Manager does.

func realTenant(t *testing.T, st *sqlstore.Store) string {
	t.Helper()
	id := ids.NewUUID()
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := st.Tenants().Create(ctx, model.Tenant{ID: id, Slug: "t" + id[:8], Name: "T",
		Issuer: "https://" + id[:8] + ".example", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOnRealStore(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Run("lifecycle", func(t *testing.T) { testRealLifecycle(t, b.New(t)) })
			t.Run("concurrent rotate", func(t *testing.T) { testRealConcurrentRotate(t, b.New(t)) })
		})
	}
}

func testRealLifecycle(t *testing.T, st *sqlstore.Store) {
	tn, c := realTenant(t, st), newClock()
	a, b := newManager(t, st.Keys(), c), newManager(t, st.Keys(), c)
	if err := a.Ensure(ctx, tn); err != nil {
		t.Fatal(err)
	}
	v, _ := st.Keys().Version(ctx)
	if err := a.Ensure(ctx, tn); err != nil {
		t.Fatal(err)
	}
	if v2, _ := st.Keys().Version(ctx); v2 != v {
		t.Fatal("a second Ensure changed the key set")
	}
	token, err := b.Sign(ctx, tn, model.AlgRS256, TypeJWT, []byte(`{"sub":"m"}`))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	old := jws.Signatures[0].Header.KeyID
	if err := a.Rotate(ctx, tn); err != nil {
		t.Fatal(err)
	}
	c.Advance(DefaultCacheTTL)
	if token, err := b.Sign(ctx, tn, model.AlgRS256, TypeJWT, []byte(`{}`)); err != nil || signedKid(t, token) == old {
		t.Fatal("replica b did not see the rotation after CacheTTL")
	}
	body, _, err := b.JWKS(ctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) != 9 {
		t.Fatalf("JWKS after one rotation: %d keys, %v", len(set.Keys), err)
	}
	if _, err := jws.Verify(set.Key(old)[0]); err != nil {
		t.Fatalf("token signed before rotation: %v", err)
	}
	c.Advance(DefaultRetireFor)
	if _, err := a.RotateIfDue(ctx, tn); err != nil {
		t.Fatal(err)
	}
	if ks, _ := st.Keys().List(ctx, tn); len(ks) != 2*len(slots) {
		t.Fatalf("%d keys stored after RemoveAfter; want the %d live ones", len(ks), 2*len(slots))
	}
}

func testRealConcurrentRotate(t *testing.T, st *sqlstore.Store) {
	tn, c := realTenant(t, st), newClock()
	a, b := newManager(t, st.Keys(), c), newManager(t, st.Keys(), c)
	if err := a.Ensure(ctx, tn); err != nil {
		t.Fatal(err)
	}
	const each = 2
	var wg sync.WaitGroup
	for _, m := range []*Manager{a, b, a, b} {
		wg.Go(func() {
			for range each {
				if err := m.Rotate(ctx, tn); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	ks, err := st.Keys().List(ctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	count := map[slot]map[model.KeyState]int{}
	seen := map[string]bool{}
	for _, k := range ks {
		if count[slotOf(k)] == nil {
			count[slotOf(k)] = map[model.KeyState]int{}
		}
		count[slotOf(k)][k.State]++
		if seen[k.ID] {
			t.Errorf("kid %s twice", k.ID)
		}
		seen[k.ID] = true
	}
	for _, sl := range slots {
		if n := count[sl]; n[model.KeyCurrent] != 1 || n[model.KeyNext] != 1 || n[model.KeyRetired] != 4*each {
			t.Errorf("%v: %v; want 1 current, 1 next, %d retired", sl, n, 4*each)
		}
	}
}
