package keys

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
)

var ctx = context.Background()

func jwksKids(t *testing.T, m *Manager) map[string]bool {
	t.Helper()
	body, _, err := m.JWKS(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("JWKS is not a JWK Set: %v\n%s", err, body)
	}
	kids := map[string]bool{}
	for _, k := range set.Keys {
		kids[k.KeyID] = true
	}
	return kids
}

func signingKid(t *testing.T, m *Manager, alg string) string {
	t.Helper()
	return signedKid(t, sign(t, m, alg, TypeJWT, `{}`))
}

// sign signs payload as the provider signs its tokens (Manager.Sign).
func sign(t *testing.T, m *Manager, alg, typ, payload string) string {
	t.Helper()
	token, err := m.Sign(ctx, tenant, alg, typ, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// signedKid is the kid in a compact JWS's protected header.
func signedKid(t *testing.T, token string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Header.KeyID
}

func TestEnsureIsIdempotent(t *testing.T) {
	st := newMemKeys()
	m := newManager(t, st, newClock())
	if err := m.Ensure(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	first, _ := st.List(ctx, tenant)
	reps := st.reps.Load()
	for range 3 {
		if err := m.Ensure(ctx, tenant); err != nil {
			t.Fatal(err)
		}
	}
	again, _ := st.List(ctx, tenant)
	if st.reps.Load() != reps || len(again) != 2*len(slots) || !equalKids(first, again) {
		t.Fatalf("Ensure on a complete set wrote again (%d writes) or changed it: %d keys", st.reps.Load()-reps, len(again))
	}
	kidForm := regexp.MustCompile(`^[A-Za-z0-9_-]{16}$`)
	for _, alg := range Algorithms() {
		cur, next := st.byState(tenant, alg, model.KeyCurrent), st.byState(tenant, alg, model.KeyNext)
		if len(cur) != 1 || len(next) != 1 || !kidForm.MatchString(cur[0]) || !kidForm.MatchString(next[0]) {
			t.Errorf("%s: current %q, next %q", alg, cur, next)
		}
	}
}

func equalKids(a, b []model.SigningKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].State != b[i].State {
			return false
		}
	}
	return true
}

// TestRotatePublishesNextBeforeUse: across several rotations, every kid that
// signs was already in the JWKS served before the rotation that promoted it.
func TestRotatePublishesNextBeforeUse(t *testing.T) {
	m := newManager(t, newMemKeys(), newClock())
	if err := m.Ensure(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		before := jwksKids(t, m)
		if err := m.Rotate(ctx, tenant); err != nil {
			t.Fatal(err)
		}
		for _, alg := range Algorithms() {
			if kid := signingKid(t, m, alg); !before[kid] {
				t.Fatalf("rotation %d: %s signs with %s, which was not published before", i, alg, kid)
			}
		}
	}
}

func TestRetiredKeysStayUntilRemoveAfter(t *testing.T) {
	c, st := newClock(), newMemKeys()
	m := newManager(t, st, c)
	m.RetireFor = 3 * time.Hour
	old := signingKid(t, m, model.AlgES256) // lazily ensures the tenant's keys
	if err := m.Rotate(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	if kid := signingKid(t, m, model.AlgES256); kid == old || !jwksKids(t, m)[old] {
		t.Fatalf("after rotation: signs with %s; retired %s published: %v", kid, old, jwksKids(t, m)[old])
	}
	c.Advance(3*time.Hour - time.Microsecond)
	if !jwksKids(t, m)[old] {
		t.Fatal("retired key left the JWKS before RemoveAfter")
	}
	c.Advance(time.Microsecond)
	if jwksKids(t, m)[old] {
		t.Fatal("retired key still published at RemoveAfter")
	}
	if rotated, err := m.RotateIfDue(ctx, tenant); err != nil || rotated {
		t.Fatalf("RotateIfDue = %v, %v; want a prune only", rotated, err)
	}
	if got := st.byState(tenant, model.AlgES256, model.KeyRetired); len(got) != 0 {
		t.Fatalf("expired retired keys still stored: %v", got)
	}
}

func TestRotateIfDue(t *testing.T) {
	c, st := newClock(), newMemKeys()
	m := newManager(t, st, c)
	if err := m.Ensure(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	reps := st.reps.Load()
	c.Advance(DefaultRotationPeriod - time.Second)
	if rotated, err := m.RotateIfDue(ctx, tenant); rotated || err != nil || st.reps.Load() != reps {
		t.Fatalf("not due: rotated=%v err=%v writes=%d", rotated, err, st.reps.Load()-reps)
	}
	next := st.byState(tenant, model.AlgRS256, model.KeyNext)
	c.Advance(time.Second)
	if rotated, err := m.RotateIfDue(ctx, tenant); !rotated || err != nil {
		t.Fatalf("due: rotated=%v err=%v", rotated, err)
	}
	if cur := st.byState(tenant, model.AlgRS256, model.KeyCurrent); len(cur) != 1 || cur[0] != next[0] {
		t.Fatalf("current %v, want the former next %v", cur, next)
	}
	if rotated, _ := m.RotateIfDue(ctx, tenant); rotated {
		t.Fatal("rotated twice in one period")
	}
}

// TestConcurrentRotate: two replicas rotating at once never lose or
// duplicate a current key: each rotation retires exactly one per algorithm.
func TestConcurrentRotate(t *testing.T) {
	st, c := newMemKeys(), newClock()
	a, b := newManager(t, st, c), newManager(t, st, c)
	if err := a.Ensure(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	const each = 3
	var wg sync.WaitGroup
	for _, m := range []*Manager{a, b, a, b} {
		wg.Go(func() {
			for range each {
				if err := m.Rotate(ctx, tenant); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	assertOneCurrentOneNext(t, st, 4*each)
}

func assertOneCurrentOneNext(t *testing.T, st *memKeys, rotations int) {
	t.Helper()
	seen := map[string]bool{}
	for _, sl := range slots {
		cur, next := st.bySlot(tenant, sl, model.KeyCurrent), st.bySlot(tenant, sl, model.KeyNext)
		retired := st.bySlot(tenant, sl, model.KeyRetired)
		if len(cur) != 1 || len(next) != 1 || len(retired) != rotations {
			t.Errorf("%v: %d current, %d next, %d retired; want 1, 1, %d", sl, len(cur), len(next), len(retired), rotations)
		}
		for _, kid := range append(append(cur, next...), retired...) {
			if seen[kid] {
				t.Errorf("kid %s appears twice", kid)
			}
			seen[kid] = true
		}
	}
}

// A tenant created while the server runs has never been through Ensure; its
// first token or JWKS request must create its keys, not fail.
func TestFirstUseCreatesKeys(t *testing.T) {
	st := newMemKeys()
	m := newManager(t, st, newClock())
	for _, alg := range Algorithms() {
		if kid := signingKid(t, m, alg); kid == "" {
			t.Fatalf("no kid for %s", alg)
		}
	}
	other := newManager(t, st, newClock())
	body, _, err := other.JWKS(ctx, "tenant-2")
	if err != nil || !strings.Contains(string(body), `"kid"`) {
		t.Fatalf("JWKS of a fresh tenant = %s, %v", body, err)
	}
}
