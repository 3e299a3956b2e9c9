package onetime

import (
	"testing"
	"time"
)

// TestFirstSetupLinkOnce is finding 12: the link serve prints is made at a
// tenant's first start only; a restart, even with that link unused and
// unexpired or long expired, makes none, while an explicit request does
// (and replaces the earlier link) as long as there is no administrator.
func TestFirstSetupLinkOnce(t *testing.T) {
	f := newFixture(t, "t2")
	ctx := t.Context()
	first, _, err := f.svc.FirstSetupLink(ctx, "t1")
	must(t, err)
	if first == "" {
		t.Fatal("no link at the first start")
	}
	for _, wait := range []time.Duration{0, 2 * time.Hour} {
		f.advance(wait)
		if token, _, err := f.svc.FirstSetupLink(ctx, "t1"); err != nil || token != "" {
			t.Fatalf("a restart after %v made another link: %q, %v", wait, token, err)
		}
	}
	if token, _, err := f.svc.FirstSetupLink(ctx, "t2"); err != nil || token == "" {
		t.Fatalf("another tenant's first link: %q, %v", token, err)
	}
	asked, l, err := f.svc.SetupLink(ctx, "t1")
	must(t, err)
	if asked == "" || l.ExpiresAt != f.now.Add(time.Hour) {
		t.Fatalf("an explicit link: %q, %+v", asked, l)
	}
	_, err = f.svc.CompleteSetup(ctx, "t1", first, admin("a@example.org"))
	wantUnusable(t, err)
	_, err = f.svc.CompleteSetup(ctx, "t1", asked, admin("a@example.org"))
	must(t, err)
	if token, _, err := f.svc.SetupLink(ctx, "t1"); err != nil || token != "" {
		t.Fatalf("a link once there is an administrator: %q, %v", token, err)
	}
}
