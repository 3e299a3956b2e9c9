package oidc

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// TestPollDevice: one poll's answer and what it writes, as RFC 8628 §3.5
// has it: another client's, a used or an expired code change nothing; a
// poll sooner than the interval (less a second's leeway) lengthens it by
// five seconds; otherwise the poll is recorded and answered by the
// member's decision, an approval consuming the request.
func TestPollDevice(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	pending := model.DeviceAuthorization{ClientID: "c1", Status: model.DevicePending, Interval: 5 * time.Second,
		CreatedAt: t0, ExpiresAt: t0.Add(DeviceTTL)}
	with := func(edit func(*model.DeviceAuthorization)) model.DeviceAuthorization {
		d := pending
		edit(&d)
		return d
	}
	tests := []struct {
		name        string
		d           model.DeviceAuthorization
		client      string
		at          time.Time
		code        oauth.ErrorCode
		write       bool
		interval    time.Duration
		consumedNow bool
	}{
		{"first poll", pending, "c1", t0.Add(time.Second), oauth.CodeAuthorizationPending, true, 5 * time.Second, false},
		{"client id in another case", pending, "C1", t0.Add(time.Second), oauth.CodeAuthorizationPending, true, 5 * time.Second, false},
		{"another client", pending, "c2", t0.Add(time.Second), oauth.CodeInvalidGrant, false, 5 * time.Second, false},
		{"on time", with(func(d *model.DeviceAuthorization) { d.PolledAt = t0 }), "c1", t0.Add(5 * time.Second),
			oauth.CodeAuthorizationPending, true, 5 * time.Second, false},
		{"within the leeway", with(func(d *model.DeviceAuthorization) { d.PolledAt = t0 }), "c1", t0.Add(4 * time.Second),
			oauth.CodeAuthorizationPending, true, 5 * time.Second, false},
		{"too soon", with(func(d *model.DeviceAuthorization) { d.PolledAt = t0 }), "c1", t0.Add(3 * time.Second),
			oauth.CodeSlowDown, true, 10 * time.Second, false},
		{"too soon for the longer interval", with(func(d *model.DeviceAuthorization) { d.PolledAt, d.Interval = t0, 10*time.Second }),
			"c1", t0.Add(6 * time.Second), oauth.CodeSlowDown, true, 15 * time.Second, false},
		{"denied", with(func(d *model.DeviceAuthorization) { d.Status = model.DeviceDenied }), "c1", t0.Add(time.Second),
			oauth.CodeAccessDenied, true, 5 * time.Second, false},
		{"approved", with(func(d *model.DeviceAuthorization) { d.Status, d.GrantID = model.DeviceApproved, "g1" }), "c1",
			t0.Add(time.Second), "", true, 5 * time.Second, true},
		{"approved, polled too soon", with(func(d *model.DeviceAuthorization) { d.Status, d.PolledAt = model.DeviceApproved, t0 }), "c1",
			t0.Add(time.Second), oauth.CodeSlowDown, true, 10 * time.Second, false},
		{"used", with(func(d *model.DeviceAuthorization) { d.Status, d.ConsumedAt = model.DeviceApproved, t0 }), "c1",
			t0.Add(time.Minute), oauth.CodeInvalidGrant, false, 5 * time.Second, false},
		{"expired", pending, "c1", t0.Add(DeviceTTL), oauth.CodeExpiredToken, false, 5 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, write, err := pollDevice(tt.d, tt.client, tt.at)
			if oauth.CodeOf(err) != tt.code || write != tt.write || got.Interval != tt.interval {
				t.Fatalf("got %q, write %v, interval %s; want %q, %v, %s", oauth.CodeOf(err), write, got.Interval, tt.code, tt.write, tt.interval)
			}
			if write && !got.PolledAt.Equal(tt.at) {
				t.Errorf("poll recorded at %s, want %s", got.PolledAt, tt.at)
			}
			if consumed := got.ConsumedAt.Equal(tt.at); consumed != tt.consumedNow {
				t.Errorf("consumed now: %v, want %v", consumed, tt.consumedNow)
			}
			if e := oauth.FromError(err); err != nil && e.Status != 400 {
				t.Errorf("status %d, want 400 (RFC 6749 §5.2)", e.Status)
			}
		})
	}
}
