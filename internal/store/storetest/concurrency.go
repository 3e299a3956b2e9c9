package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var concurrencyTests = []testCase{
	{"Concurrent/MemberUpdates", testConcurrentMemberUpdates},
	{"Concurrent/ThrottleUpdates", testConcurrentThrottleUpdates},
}

// writers is how many goroutines race on one row; each change must survive.
const writers = 20

// race runs fn from writers goroutines at once and reports their errors.
func race(t *testing.T, fn func(i int) error) {
	t.Helper()
	raceN(t, writers, fn)
}

// raceN is race with n goroutines.
func raceN(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			errs <- fn(i)
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err)
	}
}

func testConcurrentMemberUpdates(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	race(t, func(int) error {
		_, err := s.Members().Update(t.Context(), tn.ID, m.ID, func(old model.Member) (model.Member, error) {
			old.Name += "x"
			time.Sleep(time.Millisecond) // widen the window in which a lost update could happen
			return old, nil
		})
		return err
	})
	got, err := s.Members().Get(t.Context(), tn.ID, m.ID)
	ok(t, err)
	equal(t, got.Name, m.Name+strings.Repeat("x", writers))
}

// testConcurrentThrottleUpdates starts from an absent counter, the case where
// a read-then-upsert would lose updates.
func testConcurrentThrottleUpdates(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	race(t, func(int) error {
		_, err := s.Throttles().Update(t.Context(), tn.ID, "ip:192.0.2.1", func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
			c.Tokens++
			time.Sleep(time.Millisecond)
			return c, nil
		})
		return err
	})
	got, err := s.Throttles().Update(t.Context(), tn.ID, "ip:192.0.2.1", func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		return c, nil
	})
	ok(t, err)
	equal(t, got.Tokens, float64(writers))
}
