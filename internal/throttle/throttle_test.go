package throttle

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// small rates keep the arithmetic obvious: 3 per account then 1 per 10 s,
// 3 per account and address then 1 per 5 s, 6 per address then 1 per 2 s,
// 4 upstream sign-in starts per address then 1 per 5 s.
var (
	acct    = Rate{Burst: 3, Every: 10 * time.Second}
	pair    = Rate{Burst: 3, Every: 5 * time.Second}
	ipr     = Rate{Burst: 6, Every: 2 * time.Second}
	ssoRate = Rate{Burst: 4, Every: 5 * time.Second}
)

func newLimiter(t testing.TB) (*Limiter, *clock, store.Store, []string) {
	t.Helper()
	st := storetest.NewSQLite(t)
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	var tenants []string
	for _, slug := range []string{"bakers", "smiths"} {
		tn := model.Tenant{ID: ids.NewUUID(), Slug: slug, Name: slug, Issuer: "https://" + slug + ".example", CreatedAt: c.t, UpdatedAt: c.t}
		if err := st.Tenants().Create(context.Background(), tn); err != nil {
			t.Fatal(err)
		}
		tenants = append(tenants, tn.ID)
	}
	return &Limiter{Store: st.Throttles(), Atomic: st.Atomic, Now: c.Now, AccountAddress: pair, Account: acct, IP: ipr, SSOStart: ssoRate,
		ResetAddress: ssoRate, ResetIP: ssoRate, DeviceEntry: deviceEntry, DeviceCode: deviceCode,
		DeviceGuess: deviceGuess}, c, st, tenants
}

func allow(t *testing.T, l *Limiter, tenant, email, ip string) time.Duration {
	t.Helper()
	wait, err := l.Allow(context.Background(), tenant, email, ip)
	if err != nil {
		t.Fatal(err)
	}
	return wait
}

func TestAccountBurstThenRefill(t *testing.T) {
	l, c, _, tn := newLimiter(t)
	for i := range 3 {
		// a different address each time: only the account bucket binds
		if w := allow(t, l, tn[0], "ann@example.org", "192.0.2."+string(rune('1'+i))); w != 0 {
			t.Fatalf("attempt %d refused (%v)", i+1, w)
		}
	}
	if w := allow(t, l, tn[0], "ann@example.org", "192.0.2.9"); w != 10*time.Second {
		t.Fatalf("4th attempt: wait %v, want 10s", w)
	}
	c.Advance(9 * time.Second)
	if w := allow(t, l, tn[0], "ann@example.org", "192.0.2.9"); w != time.Second {
		t.Fatalf("after 9s: wait %v, want 1s", w)
	}
	c.Advance(time.Second)
	if w := allow(t, l, tn[0], "ann@example.org", "192.0.2.9"); w != 0 {
		t.Fatalf("after refill: wait %v", w)
	}
}

func TestAccountKeyIgnoresCaseAndSpace(t *testing.T) {
	l, _, _, tn := newLimiter(t)
	for _, e := range []string{"Ann@Example.org", " ann@example.org", "ANN@EXAMPLE.ORG"} {
		allow(t, l, tn[0], e, "192.0.2.1")
	}
	if w := allow(t, l, tn[0], "ann@example.org", "192.0.2.2"); w == 0 {
		t.Fatal("case variants got separate buckets")
	}
}

func TestAddressBucketSpansAccounts(t *testing.T) {
	l, _, _, tn := newLimiter(t)
	for i := range 6 {
		if w := allow(t, l, tn[0], string(rune('a'+i))+"@example.org", "198.51.100.7"); w != 0 {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if w := allow(t, l, tn[0], "zed@example.org", "198.51.100.7"); w != 2*time.Second {
		t.Fatalf("7th attempt from one address: wait %v, want 2s", w)
	}
	if w := allow(t, l, tn[0], "zed@example.org", "198.51.100.8"); w != 0 {
		t.Fatal("an exhausted address blocked another address")
	}
}

func TestIPv6GroupedBySlash64(t *testing.T) {
	l, _, _, tn := newLimiter(t)
	for i := range 6 {
		allow(t, l, tn[0], string(rune('a'+i))+"@example.org", "2001:db8:1:2::"+string(rune('1'+i)))
	}
	if w := allow(t, l, tn[0], "zed@example.org", "2001:db8:1:2:ffff::1"); w == 0 {
		t.Fatal("addresses in one /64 got separate buckets")
	}
	if w := allow(t, l, tn[0], "zed@example.org", "2001:db8:1:3::1"); w != 0 {
		t.Fatal("another /64 was blocked")
	}
}

func TestSucceedRestoresAccount(t *testing.T) {
	l, _, _, tn := newLimiter(t)
	for range 3 {
		allow(t, l, tn[0], "ann@example.org", "192.0.2.1")
	}
	if err := l.Succeed(context.Background(), tn[0], "ann@example.org", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if w := allow(t, l, tn[0], "ann@example.org", "192.0.2.1"); w != 0 {
			t.Fatalf("attempt %d after success refused", i+1)
		}
	}
}

// TestSucceedFillsToTheBurstOnly: a success fills the account's buckets
// (refilled by deleting them) to their burst and no further, for every
// address; another account's buckets are untouched.
func TestSucceedFillsToTheBurstOnly(t *testing.T) {
	l, _, _, tn := newLimiter(t)
	for i := range acct.Burst {
		allow(t, l, tn[0], "ann@example.org", fmt.Sprintf("192.0.2.%d", i+1))
		allow(t, l, tn[0], "bob@example.org", fmt.Sprintf("192.0.2.%d", i+1))
	}
	for range 2 { // a second success finds the buckets full and leaves them so
		if err := l.Succeed(context.Background(), tn[0], "ann@example.org", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range acct.Burst {
		if w := allow(t, l, tn[0], "ann@example.org", "198.51.100.7"); w != 0 {
			t.Fatalf("attempt %d after success refused (%v)", i+1, w)
		}
	}
	if w := allow(t, l, tn[0], "ann@example.org", "198.51.100.8"); w == 0 {
		t.Fatal("the account's ceiling let more than its burst through after a success")
	}
	if w := allow(t, l, tn[0], "bob@example.org", "198.51.100.7"); w == 0 {
		t.Fatal("ann's success refilled bob's ceiling")
	}
}

func TestTenantsAreSeparate(t *testing.T) {
	l, _, _, tn := newLimiter(t)
	for range 3 {
		allow(t, l, tn[0], "ann@example.org", "192.0.2.1")
	}
	if w := allow(t, l, tn[1], "ann@example.org", "192.0.2.1"); w != 0 {
		t.Fatal("one tenant's bucket limited another")
	}
}

// TestParallelAttemptsCannotExceedBurst proves the token is taken when the
// bucket is read: a burst of simultaneous guesses gets exactly Burst through.
func TestParallelAttemptsCannotExceedBurst(t *testing.T) {
	l, _, _, tn := newLimiter(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := l.Allow(context.Background(), tn[0], "ann@example.org", "192.0.2."+string(rune('0'+i%10)))
			if err != nil {
				t.Error(err)
				return
			}
			if w == 0 {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if allowed != acct.Burst {
		t.Fatalf("%d parallel attempts allowed, want %d", allowed, acct.Burst)
	}
}

func TestPruneDropsOnlyFullBuckets(t *testing.T) {
	l, c, _, tn := newLimiter(t)
	allow(t, l, tn[0], "ann@example.org", "192.0.2.1")
	c.Advance(29 * time.Second) // account bucket (3×10 s) not yet full
	if n, err := l.Prune(context.Background()); err != nil || n != 0 {
		t.Fatalf("Prune = %d, %v; want nothing pruned", n, err)
	}
	c.Advance(2 * time.Second)
	if n, err := l.Prune(context.Background()); err != nil || n != 3 {
		t.Fatalf("Prune = %d, %v; want all three buckets", n, err)
	}
}

func TestWaitRoundsUp(t *testing.T) {
	r := Rate{Burst: 1, Every: 30 * time.Second}
	for _, tc := range []struct {
		missing float64
		want    time.Duration
	}{{1, 30 * time.Second}, {0.5, 15 * time.Second}, {0.01, time.Second}, {0.0001, time.Second}, {0.99, 30 * time.Second}} {
		if got := r.waitFor(tc.missing); got != tc.want {
			t.Errorf("waitFor(%v) = %v, want %v", tc.missing, got, tc.want)
		}
	}
}

func TestZeroRatesUseDefaults(t *testing.T) {
	l := &Limiter{}
	if l.accountRate() != DefaultAccount || l.ipRate() != DefaultIP || l.accountAddressRate() != DefaultAccountAddress {
		t.Fatal("zero rates must fall back to the defaults")
	}
}

// TestAllowForResets: the reset buckets are per subject and per kind, fold
// the address's case, and refuse without writing once empty.
func TestAllowForResets(t *testing.T) {
	l, c, _, tn := newLimiter(t)
	ctx := context.Background()
	for i := range ssoRate.Burst {
		if w, err := l.AllowFor(ctx, tn[0], UseResetEmail, []string{"Ann@Example.org", " ann@example.org"}[i%2]); err != nil || w != 0 {
			t.Fatalf("attempt %d: %v %v", i, w, err)
		}
	}
	if w, err := l.AllowFor(ctx, tn[0], UseResetEmail, "ann@example.org"); err != nil || w == 0 {
		t.Fatalf("over the limit: %v %v", w, err)
	}
	for _, other := range []struct{ tenant, use, subject string }{
		{tn[0], UseResetEmail, "bob@example.org"}, {tn[0], UseResetMember, "ann@example.org"}, {tn[1], UseResetEmail, "ann@example.org"},
		{tn[0], UseResetIP, "192.0.2.1"},
	} {
		if w, err := l.AllowFor(ctx, other.tenant, other.use, other.subject); err != nil || w != 0 {
			t.Fatalf("%+v shares the bucket: %v %v", other, w, err)
		}
	}
	c.Advance(ssoRate.Every)
	if w, err := l.AllowFor(ctx, tn[0], UseResetEmail, "ann@example.org"); err != nil || w != 0 {
		t.Fatalf("after a refill: %v %v", w, err)
	}
	if _, err := l.AllowFor(ctx, tn[0], "nonsense", "x"); err == nil {
		t.Fatal("an unknown bucket kind was accepted")
	}
}
