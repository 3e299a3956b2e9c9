package throttle

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

var errAccountBucket = errors.New("account bucket unavailable")

// failingAccount is a transaction whose account buckets cannot be written.
type failingAccount struct{ store.Tx }

func (f failingAccount) Throttles() store.Throttles { return failingThrottles{f.Tx.Throttles()} }

type failingThrottles struct{ store.Throttles }

func (f failingThrottles) Update(ctx context.Context, tenantID, key string, fn func(model.ThrottleCounter) (model.ThrottleCounter, error)) (model.ThrottleCounter, error) {
	if strings.HasPrefix(key, accountPrefix) {
		return model.ThrottleCounter{}, errAccountBucket
	}
	return f.Throttles.Update(ctx, tenantID, key, fn)
}

// TestAllowIsOneTransaction: with Atomic, an attempt that fails at the
// account's bucket spends nothing from the buckets before it either.
func TestAllowIsOneTransaction(t *testing.T) {
	l, _, st, tn := newLimiter(t)
	broken := *l
	broken.Atomic = func(ctx context.Context, fn func(tx store.Tx) error) error {
		return st.Atomic(ctx, func(tx store.Tx) error { return fn(failingAccount{tx}) })
	}
	for range 3 {
		if _, err := broken.Allow(context.Background(), tn[0], "ann@example.org", "192.0.2.1"); !errors.Is(err, errAccountBucket) {
			t.Fatalf("Allow with a failing account bucket: err = %v", err)
		}
	}
	// Both buckets before the account's are as full as before: the
	// account-and-address bucket lets its whole burst through, and the
	// address bucket its own.
	for i := range ipr.Burst {
		email := "ann@example.org"
		if i >= pair.Burst {
			email = "bob" + string(rune('0'+i)) + "@example.org"
		}
		if w := allow(t, l, tn[0], email, "192.0.2.1"); w != 0 {
			t.Fatalf("attempt %d refused (%v)", i+1, w)
		}
	}
	if w := allow(t, l, tn[0], "carol@example.org", "192.0.2.1"); w == 0 {
		t.Fatal("the address bucket let more than its burst through")
	}
}

// TestTogetherDoesNotDeadlockOnPostgres runs attempts and successes of one
// account from one address at once: each transaction locks several rows,
// and PostgreSQL aborts one of two that wait for each other.
func TestTogetherDoesNotDeadlockOnPostgres(t *testing.T) {
	st := storetest.NewPostgres(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tn := model.Tenant{ID: ids.NewUUID(), Slug: "bakers", Name: "bakers", Issuer: "https://bakers.example", CreatedAt: now, UpdatedAt: now}
	if err := st.Tenants().Create(context.Background(), tn); err != nil {
		t.Fatal(err)
	}
	l := &Limiter{Store: st.Throttles(), Atomic: st.Atomic, Now: func() time.Time { return now },
		AccountAddress: Rate{Burst: 1000, Every: time.Second}, Account: Rate{Burst: 1000, Every: time.Second},
		IP: Rate{Burst: 1000, Every: time.Second}}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			ctx := context.Background()
			var err error
			if i%2 == 0 {
				_, err = l.Allow(ctx, tn.ID, "ann@example.org", "192.0.2.1")
			} else {
				err = l.Succeed(ctx, tn.ID, "ann@example.org", "192.0.2.1")
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
