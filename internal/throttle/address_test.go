package throttle

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

func allowAddress(t *testing.T, l *Limiter, tenant, ip string) time.Duration {
	t.Helper()
	wait, err := l.AllowAddress(context.Background(), tenant, UseSSOStart, ip)
	if err != nil {
		t.Fatal(err)
	}
	return wait
}

// peek reads a bucket without writing it.
func peek(t *testing.T, st store.Store, tenant, key string) model.ThrottleCounter {
	t.Helper()
	stop := errors.New("peek")
	var got model.ThrottleCounter
	_, err := st.Throttles().Update(context.Background(), tenant, key, func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		got = c
		return c, stop
	})
	if !errors.Is(err, stop) {
		t.Fatal(err)
	}
	return got
}

// TestAllowAddress: a burst per address, then one per interval; a refusal
// says when to come back and writes nothing; addresses, tenants and uses
// are counted apart, an IPv6 /64 as one address.
func TestAllowAddress(t *testing.T) {
	l, c, st, tenants := newLimiter(t)
	for i := range ssoRate.Burst {
		if w := allowAddress(t, l, tenants[0], "192.0.2.7"); w != 0 {
			t.Fatalf("start %d refused (%s)", i+1, w)
		}
	}
	before := peek(t, st, tenants[0], "sso-start:ip:192.0.2.7")
	c.Advance(time.Second)
	if w := allowAddress(t, l, tenants[0], "192.0.2.7"); w != 4*time.Second {
		t.Fatalf("over the burst: wait %s, want 4s", w)
	}
	if after := peek(t, st, tenants[0], "sso-start:ip:192.0.2.7"); after != before {
		t.Fatalf("a refusal wrote the bucket: %+v → %+v", before, after)
	}
	if w := allowAddress(t, l, tenants[0], "192.0.2.8"); w != 0 {
		t.Fatal("another address shared the bucket")
	}
	if w := allowAddress(t, l, tenants[1], "192.0.2.7"); w != 0 {
		t.Fatal("another tenant shared the bucket")
	}
	if w := allow(t, l, tenants[0], "ann@bakers.example", "192.0.2.7"); w != 0 {
		t.Fatal("an exhausted start bucket refused a password attempt")
	}
	c.Advance(4 * time.Second)
	if w := allowAddress(t, l, tenants[0], "192.0.2.7"); w != 0 {
		t.Fatalf("refilled bucket refused (%s)", w)
	}

	for range ssoRate.Burst {
		allowAddress(t, l, tenants[0], "2001:db8:1:2::a")
	}
	if w := allowAddress(t, l, tenants[0], "2001:db8:1:2:ffff::b"); w == 0 {
		t.Fatal("another address of the same /64 had its own bucket")
	}
	if _, err := l.AllowAddress(context.Background(), tenants[0], "no-such-use", "192.0.2.7"); err == nil {
		t.Fatal("a bucket kind nobody defined was taken from")
	}
}
