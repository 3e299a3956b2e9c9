package oidc_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oidc"
	"github.com/guildgate/guildgate/internal/session"
)

// BenchmarkAuthorize is the authorization half of code_flow: a member with
// a session asks for a code with PKCE S256 and is sent back with it (303).
// Sessions are stored directly, one per client goroutine slot, as signed-in
// browsers would have them.
func BenchmarkAuthorize(b *testing.B) {
	h := newBenchHarness(b)
	c := h.addClient(clients.Input{})
	cookies := make([]string, 8)
	for i := range cookies {
		cookies[i] = h.newSession(h.addMember("m" + strconv.Itoa(i) + "@example.org"))
	}
	q := url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {c.Redirect},
		"scope": {"openid profile email"}, "state": {"s"}, "nonce": {"n"},
		"code_challenge": {challengeOf(verifier)}, "code_challenge_method": {"S256"}}
	target := h.URL + oidc.PathAuthorize + "?" + q.Encode()
	hc := *h.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var counter atomic.Int64
	b.SetParallelism(1)
	b.ReportAllocs()
	cpu0 := processCPU(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(counter.Add(1) - 1)
			req, _ := http.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Cookie", session.CookieName+"="+cookies[i%len(cookies)])
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "code=") {
				b.Errorf("request %d: status %d, Location %q", i, resp.StatusCode, loc)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
	perSecond := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(perSecond/float64(runtime.GOMAXPROCS(0)), "req/s/core")
}

// newSession stores a live password session of m and returns its cookie
// value.
func (h *harness) newSession(m model.Member) string {
	h.t.Helper()
	now := h.Clock.Now().UTC().Truncate(time.Microsecond)
	value := ids.NewToken(32)
	s := model.Session{ID: ids.Hash(value), TenantID: h.Tenant.ID, MemberID: m.ID, AuthTime: now, CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(session.DefaultAbsolute), AMR: []string{"pwd"}}
	if err := h.Store.Sessions().Create(context.Background(), s); err != nil {
		h.t.Fatal(err)
	}
	return value
}
