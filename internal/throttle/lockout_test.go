package throttle

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// defaults is a limiter with the production rates, whose figures the
// package documents.
func defaults(t *testing.T) (*Limiter, *clock, string) {
	l, c, _, tn := newLimiter(t)
	l.AccountAddress, l.Account, l.IP = Rate{}, Rate{}, Rate{}
	return l, c, tn[0]
}

// guess makes one attempt every step for d from ip and counts those let
// through.
func guess(t *testing.T, l *Limiter, c *clock, tenant, ip string, d, step time.Duration) int {
	t.Helper()
	allowed := 0
	for range int(d / step) {
		if allow(t, l, tenant, "ann@example.org", ip) == 0 {
			allowed++
		}
		c.Advance(step)
	}
	return allowed
}

// TestOneAddressCannotLockAMemberOut: an attacker on one address guessing
// faster than they are let through, for an hour, never makes the member
// wait at another address, not even after mistyping their own password
// a few times.
func TestOneAddressCannotLockAMemberOut(t *testing.T) {
	l, c, tn := defaults(t)
	for minute := range 60 {
		guess(t, l, c, tn, "198.51.100.66", time.Minute, 5*time.Second)
		for try := range 2 { // a typo, then the right password
			if w := allow(t, l, tn, "ann@example.org", "192.0.2.10"); w != 0 {
				t.Fatalf("minute %d, try %d: the member was made to wait %v at their own address", minute, try+1, w)
			}
		}
		if err := l.Succeed(context.Background(), tn, "ann@example.org", "192.0.2.10"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOneAddressGuessesAsSlowlyAsBefore pins the single-address figure: the
// burst of 5, then one per 30 s (the last may fall a second past the
// window: refills are continuous, attempts once a second).
func TestOneAddressGuessesAsSlowlyAsBefore(t *testing.T) {
	l, c, tn := defaults(t)
	if got, want := guess(t, l, c, tn, "198.51.100.66", 10*time.Minute+time.Second, time.Second), 5+600/30; got != want && got != want-1 {
		t.Fatalf("one address got %d guesses in 10 minutes, want %d", got, want)
	}
}

// TestGuessingFromManyAddressesIsBoundedByTheCeiling: 20 addresses guessing
// at once, together four times faster than the ceiling refills, get its 50,
// then one per 5 s, and no more.
func TestGuessingFromManyAddressesIsBoundedByTheCeiling(t *testing.T) {
	l, c, tn := defaults(t)
	allowed := 0
	for range 300 { // ten minutes, every address every 2 s
		for i := range 20 {
			if allow(t, l, tn, "ann@example.org", fmt.Sprintf("203.0.113.%d", i)) == 0 {
				allowed++
			}
		}
		c.Advance(2 * time.Second)
	}
	if most := 50 + 600/5; allowed > most {
		t.Fatalf("200 addresses got %d guesses in 10 minutes, more than the ceiling's %d", allowed, most)
	}
}

// TestCeilingRefusalSparesTheMembersAddress: while an attack spread over
// many addresses holds the ceiling empty, the member's own attempts are
// refused without costing their address's account bucket, so once the
// attack stops they have their full five tries.
func TestCeilingRefusalSparesTheMembersAddress(t *testing.T) {
	l, c, tn := defaults(t)
	for i := range 50 {
		allow(t, l, tn, "ann@example.org", fmt.Sprintf("203.0.113.%d", i))
	}
	for range 10 {
		if w := allow(t, l, tn, "ann@example.org", "192.0.2.10"); w == 0 {
			t.Fatal("the ceiling let an attempt through while empty")
		}
	}
	c.Advance(5 * DefaultAccount.Every) // the ceiling refills five tokens
	for i := range 5 {
		if w := allow(t, l, tn, "ann@example.org", "192.0.2.10"); w != 0 {
			t.Fatalf("the member's attempt %d after the attack was refused (%v)", i+1, w)
		}
	}
}
