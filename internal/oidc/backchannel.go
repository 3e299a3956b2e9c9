package oidc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/guildgate/guildgate/internal/outbound"
)

// Back-channel delivery bounds. Three attempts with short waits cover a
// relying party restarting or shedding load; more would keep a dead
// endpoint's goroutines around for little gain. A logout token lives two
// minutes, so every retry still carries a valid token.
var (
	backchannelBackoff = []time.Duration{time.Second, 3 * time.Second} // waits before attempts 2 and 3
	// backchannelTimeout bounds one attempt when the HTTP client sets none.
	backchannelTimeout = 5 * time.Second
)

// backchannel delivers Back-Channel Logout 1.0 logout tokens in the
// background, so a slow or dead relying party never holds up the member's
// page. Every delivery is tracked, so a test (or a shutdown) can wait for
// them, and ends when ctx does.
type backchannel struct {
	client  *http.Client
	logger  *slog.Logger
	backoff []time.Duration
	timeout time.Duration
	ctx     context.Context
	wg      sync.WaitGroup
}

// newBackchannel posts with client, the outbound client's for back-channel
// logout: https only, to public addresses unless the operator allows
// others, no redirect followed (the token goes to the registered URI or
// nowhere), the answer bounded.
func newBackchannel(client *http.Client, logger *slog.Logger) *backchannel {
	timeout := backchannelTimeout
	if client != nil && client.Timeout > 0 {
		timeout = client.Timeout
	}
	return &backchannel{client: client, logger: logger, backoff: backchannelBackoff, timeout: timeout, ctx: context.Background()}
}

// start runs job in the background. Its context keeps reqCtx's values (the
// request id, for the log) but not its cancellation, which comes the
// moment the member's response is written; it ends with b.ctx instead.
func (b *backchannel) start(reqCtx context.Context, job func(ctx context.Context)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		ctx, cancel := context.WithCancel(context.WithoutCancel(reqCtx))
		defer cancel()
		stop := context.AfterFunc(b.ctx, cancel)
		defer stop()
		defer b.recoverPanic(ctx)
		job(ctx)
	}()
}

// recover keeps a bug in one delivery from taking the server down.
func (b *backchannel) recoverPanic(ctx context.Context) {
	if v := recover(); v != nil {
		b.logger.LogAttrs(ctx, slog.LevelError, "back-channel logout panicked", slog.String("panic", fmt.Sprint(v)))
	}
}

// wait blocks until every delivery started so far has finished.
func (b *backchannel) wait() { b.wg.Wait() }

// deliver POSTs the token to uri (§2.5), retrying after the backoff waits
// while the failure may be temporary. It returns the attempts made.
func (b *backchannel) deliver(ctx context.Context, uri, token string) (int, error) {
	var err error
	for attempt := 0; ; attempt++ {
		var retry bool
		if retry, err = b.attempt(ctx, uri, token); err == nil {
			return attempt + 1, nil
		}
		if !retry || attempt >= len(b.backoff) {
			return attempt + 1, err
		}
		select {
		case <-ctx.Done():
			return attempt + 1, errors.Join(err, ctx.Err())
		case <-time.After(b.backoff[attempt]):
		}
	}
}

// attempt makes one POST. Success is 200, or 204 which some frameworks
// send instead (§2.8). A 4xx other than 408/429 is the relying party
// refusing this token, which repeating it cannot change.
func (b *backchannel) attempt(ctx context.Context, uri, token string) (retry bool, err error) {
	if b.client == nil {
		return false, errors.New("back-channel logout: no outbound HTTP client configured")
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	body := url.Values{"logout_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("back-channel request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.client.Do(req)
	if _, refused := errors.AsType[*outbound.RefusedError](err); refused {
		return false, err // the address or scheme will not change on a retry
	}
	if err != nil {
		return true, err // the URL, never the token, is in this error
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // let the connection be reused
	resp.Body.Close()
	switch s := resp.StatusCode; {
	case s == http.StatusOK || s == http.StatusNoContent:
		return false, nil
	case s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500:
		return true, fmt.Errorf("back-channel endpoint answered %d", s)
	default:
		return false, fmt.Errorf("back-channel endpoint refused the logout token with %d", s)
	}
}
