package sqlstore_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/arrival"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestSQLiteGroupAnswersLongestWaitFirst: requests committed in one group
// go on in the order their connections have waited (package arrival), not
// in the order they reached the writer. On one CPU a group's requests
// resume one after another, so that order is the order of their
// responses. Here the connections open oldest first and their requests
// reach the writer newest first, behind a held transaction of the newest.
func TestSQLiteGroupAnswersLongestWaitFirst(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s := storetest.NewSQLite(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := oneTenant(t, s, now)
	const n = 8
	conns := make([]context.Context, n) // conns[0] has waited longest
	for i := range conns {
		conns[i] = arrival.ConnContext(ctx, nil)
	}
	var (
		mu      sync.Mutex
		resumed []int
		wg      sync.WaitGroup
		errs    [n]error
	)
	write := func(i int, during func()) {
		errs[i] = s.Atomic(conns[i], func(tx store.Tx) error {
			during()
			return tx.Members().Create(ctx, model.Member{ID: fmt.Sprint("m-", i), TenantID: tn.ID,
				Email: fmt.Sprintf("m%d@example.org", i), Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now})
		})
		mu.Lock()
		resumed = append(resumed, i)
		mu.Unlock()
	}
	held, hold := make(chan struct{}), make(chan struct{})
	wg.Go(func() { write(n-1, func() { close(held); <-hold }) })
	<-held
	for i := n - 2; i >= 0; i-- { // each waits for the writer before the next asks
		arrived, _ := s.CommitQueue()
		wg.Go(func() { write(i, func() {}) })
		awaitWriterAsked(t, s, arrived+1, hold)
	}
	close(hold)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if want := []int{0, 1, 2, 3, 4, 5, 6, 7}; !slices.Equal(resumed, want) {
		t.Errorf("requests resumed in the order %v, want %v (longest wait first)", resumed, want)
	}
}
