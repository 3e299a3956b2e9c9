package arrival_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/guildgate/guildgate/internal/arrival"
)

// TestRankFollowsAnswers: on a real server, a request ranks by when its
// connection was last answered, or opened: A opens and is answered, then B
// opens and is answered, so A's second request ranks before B's first and
// B's second after all of them. Work with no connection ranks behind them
// all.
func TestRankFollowsAnswers(t *testing.T) {
	ranks := make(chan uint64, 1)
	srv := httptest.NewUnstartedServer(arrival.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ranks <- arrival.Rank(r.Context())
	})))
	srv.Config.ConnContext = arrival.ConnContext
	srv.Start()
	defer srv.Close()
	client := func() *http.Client { return &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}} }
	a, b := client(), client()
	get := func(c *http.Client) uint64 {
		t.Helper()
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return <-ranks
	}
	a1 := get(a)
	b1 := get(b)
	a2 := get(a)
	b2 := get(b)
	// A opened, A answered, B opened, B answered: a2 is A's answer, b1
	// B's opening.
	if !(a1 < a2 && a2 < b1 && b1 < b2) {
		t.Errorf("ranks a1 %d, a2 %d, b1 %d, b2 %d: want them in this order", a1, a2, b1, b2)
	}
	if none := arrival.Rank(context.Background()); none <= b2 {
		t.Errorf("work with no connection ranks %d, before a waiting request (%d)", none, b2)
	}
}
