package throttle

import (
	"context"
	"testing"
	"time"
)

// Test rates of the device buckets: short, so Prune's test still sees
// every bucket full after half a minute.
var (
	deviceEntry = Rate{Burst: 10, Every: 2 * time.Second}
	deviceCode  = Rate{Burst: 5, Every: 5 * time.Second}
	deviceGuess = Rate{Burst: 3, Every: 4 * time.Second}
)

// TestDeviceEntry: user-code entry is limited per address and per code
// typed, each apart from the other buckets.
func TestDeviceEntry(t *testing.T) {
	ctx := context.Background()
	l, c, _, tenants := newLimiter(t)
	spend := func(use, subject string, address bool) time.Duration {
		t.Helper()
		var wait time.Duration
		var err error
		if address {
			wait, err = l.AllowAddress(ctx, tenants[0], use, subject)
		} else {
			wait, err = l.AllowFor(ctx, tenants[0], use, subject)
		}
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}
	for i := range deviceEntry.Burst {
		if w := spend(UseDeviceEntry, "192.0.2.7", true); w != 0 {
			t.Fatalf("entry %d refused (%s)", i+1, w)
		}
	}
	if w := spend(UseDeviceEntry, "192.0.2.7", true); w != 2*time.Second {
		t.Fatalf("over the burst: wait %s, want 2s", w)
	}
	if w := spend(UseDeviceStart, "192.0.2.7", true); w != 0 {
		t.Fatal("entries spent the start bucket")
	}
	for i := range deviceCode.Burst {
		if w := spend(UseDeviceCode, "hash-1", false); w != 0 {
			t.Fatalf("entry %d of one code refused (%s)", i+1, w)
		}
	}
	if w := spend(UseDeviceCode, "hash-1", false); w != 5*time.Second {
		t.Fatalf("over the burst: wait %s, want 5s", w)
	}
	if w := spend(UseDeviceCode, "hash-2", false); w != 0 {
		t.Fatal("another code shared the bucket")
	}
	c.Advance(2 * time.Second)
	if w := spend(UseDeviceEntry, "192.0.2.7", true); w != 0 {
		t.Fatalf("refilled bucket refused (%s)", w)
	}
}

// TestDeviceGuessCeiling: the ceiling on wrong user codes is one bucket
// per tenant; a refund gives a token back, never more than the burst.
func TestDeviceGuessCeiling(t *testing.T) {
	ctx := context.Background()
	l, c, _, tenants := newLimiter(t)
	guess := func(tenant string) time.Duration {
		t.Helper()
		w, err := l.AllowDeviceGuess(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	refund := func() {
		t.Helper()
		if err := l.RefundDeviceGuess(ctx, tenants[0]); err != nil {
			t.Fatal(err)
		}
	}
	refund() // a full bucket stays at its burst
	for i := range deviceGuess.Burst {
		if w := guess(tenants[0]); w != 0 {
			t.Fatalf("guess %d refused (%s)", i+1, w)
		}
	}
	if w := guess(tenants[0]); w != 4*time.Second {
		t.Fatalf("over the ceiling: wait %s, want 4s", w)
	}
	if w := guess(tenants[1]); w != 0 {
		t.Fatal("another tenant shared the ceiling")
	}
	refund()
	if w := guess(tenants[0]); w != 0 {
		t.Fatalf("refunded token refused (%s)", w)
	}
	if w := guess(tenants[0]); w == 0 {
		t.Fatal("one refund gave more than one token")
	}
	c.Advance(4 * time.Second)
	if w := guess(tenants[0]); w != 0 {
		t.Fatalf("refilled ceiling refused (%s)", w)
	}
}
