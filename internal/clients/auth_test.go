package clients

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

func TestLookupIsCaseInsensitive(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.create(web())
	for _, id := range []string{v.ID, strings.ToUpper(v.ID)} {
		c, err := f.svc.Lookup(ctx, f.tenant, id)
		if err != nil || c.ID != v.ID || c.Name != v.Name {
			t.Fatalf("Lookup(%s) = %+v, %v", id, c, err)
		}
	}
	for _, id := range []string{"", "nope", " " + v.ID, v.ID + "\x00"} {
		if _, err := f.svc.Lookup(ctx, f.tenant, id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Lookup(%q) = %v, want ErrNotFound", id, err)
		}
	}
	if _, err := f.svc.Lookup(ctx, "other-tenant", v.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a client was found in another tenant: %v", err)
	}
	// What Lookup returns is the caller's: editing it leaves the cache alone.
	c, _ := f.svc.Lookup(ctx, f.tenant, v.ID)
	c.RedirectURIs[0] = "https://evil.example/cb"
	if c2, _ := f.svc.Lookup(ctx, f.tenant, v.ID); c2.RedirectURIs[0] != v.RedirectURIs[0] {
		t.Fatal("a caller's edit reached the cache")
	}
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	conf := f.create(web())
	pub := f.create(Input{Name: "SPA", RedirectURIs: []string{"https://spa.example/cb"}, Public: true})
	if c, err := f.svc.Authenticate(ctx, f.tenant, strings.ToUpper(conf.ID), conf.Secret); err != nil || c.ID != conf.ID {
		t.Fatalf("right secret: %+v, %v", c, err)
	}
	for name, tt := range map[string]struct{ id, secret string }{
		"wrong secret":          {conf.ID, conf.Secret[:42] + "x"},
		"secret with a suffix":  {conf.ID, conf.Secret + "x"},
		"empty secret":          {conf.ID, ""},
		"unknown client":        {"00000000-0000-4000-8000-000000000000", conf.Secret},
		"public client, secret": {pub.ID, conf.Secret},
		"public client, empty":  {pub.ID, ""},
	} {
		c, err := f.svc.Authenticate(ctx, f.tenant, tt.id, tt.secret)
		if !errors.Is(err, ErrInvalidClient) || c.ID != "" {
			t.Errorf("%s: %+v, %v; want ErrInvalidClient", name, c, err)
		}
		if strings.Contains(err.Error(), conf.Secret) {
			t.Errorf("%s: error %q repeats the secret", name, err)
		}
	}
}

// TestRotationOverlap: inside the overlap both secrets work, after it only
// the new one; overlap 0 ends the old one at once.
func TestRotationOverlap(t *testing.T) { eachBackend(t, testRotationOverlap) }

func testRotationOverlap(t *testing.T, f *fixture) {
	ctx := context.Background()
	v := f.create(Input{Name: "HS", RedirectURIs: []string{"https://hs.example/cb"}, IDTokenAlg: "HS256"})
	works := func(secret string) bool {
		_, err := f.svc.Authenticate(ctx, f.tenant, v.ID, secret)
		return err == nil
	}
	r, err := f.svc.RotateSecret(ctx, "cli", f.tenant, strings.ToUpper(v.ID), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if r.Secret == v.Secret || !secretPattern.MatchString(r.Secret) || !r.SecretRotatingUntil.Equal(f.clock.Now().Add(24*time.Hour)) {
		t.Fatalf("rotated: secret %q until %v", r.Secret, r.SecretRotatingUntil)
	}
	if key, err := f.svc.SigningSecret(ctx, r.Client); err != nil || string(key) != r.Secret {
		t.Fatalf("SigningSecret = %q, %v; want the new secret", key, err)
	}
	verifiers := func() []string {
		keys, err := f.svc.VerificationSecrets(ctx, f.tenant, strings.ToUpper(v.ID))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range keys {
			out = append(out, string(k))
		}
		return out
	}
	f.clock.Add(24*time.Hour - time.Second)
	if !works(v.Secret) || !works(r.Secret) {
		t.Fatal("inside the overlap both secrets must work")
	}
	if got := verifiers(); len(got) != 2 || got[0] != r.Secret || got[1] != v.Secret {
		t.Fatal("inside the overlap HS256 tokens of both secrets must verify, the newest first")
	}
	f.clock.Add(time.Second)
	if works(v.Secret) || !works(r.Secret) {
		t.Fatal("after the overlap only the new secret may work")
	}
	if got := verifiers(); len(got) != 1 || got[0] != r.Secret {
		t.Fatal("after the overlap only the new secret may verify")
	}
	// Rotating again drops the expired secret from the row.
	r2, err := f.svc.RotateSecret(ctx, "cli", f.tenant, v.ID, 0)
	if err != nil || len(r2.Secrets) != 1 || !r2.SecretRotatingUntil.IsZero() {
		t.Fatalf("rotate with overlap 0: %d secrets, until %v, %v", len(r2.Secrets), r2.SecretRotatingUntil, err)
	}
	if works(r.Secret) || !works(r2.Secret) {
		t.Fatal("overlap 0 must end the previous secret at once")
	}
}

// TestRotationEndsEveryOlderSecret: overlap 0 after an overlapping rotation
// leaves only the newest secret, the answer to a leak.
func TestRotationEndsEveryOlderSecret(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.create(web())
	r1, _ := f.svc.RotateSecret(ctx, "cli", f.tenant, v.ID, MaxOverlap)
	r2, err := f.svc.RotateSecret(ctx, "cli", f.tenant, v.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{v.Secret, r1.Secret} {
		if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, s); !errors.Is(err, ErrInvalidClient) {
			t.Fatalf("an older secret still works: %v", err)
		}
	}
	if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, r2.Secret); err != nil {
		t.Fatal(err)
	}
}

func TestRotationRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.create(web())
	pub := f.create(Input{Name: "SPA", RedirectURIs: []string{"https://spa.example/cb"}, Public: true})
	for name, tt := range map[string]struct {
		id      string
		overlap time.Duration
		want    string
	}{
		"negative":  {v.ID, -time.Second, "overlap: must be between 0 and 720h0m0s (30 days)"},
		"too long":  {v.ID, MaxOverlap + time.Second, "overlap: must be between 0"},
		"public":    {pub.ID, time.Hour, "is public: it has no secret to rotate"},
		"unknown":   {"nope", time.Hour, `no client with id "nope"`},
		"malformed": {"\x1b[2J", time.Hour, `no client with id "\x1b[2j"`}, // quoted, never raw
	} {
		_, err := f.svc.RotateSecret(ctx, "cli", f.tenant, tt.id, tt.overlap)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", name, err, tt.want)
		}
	}
	for range maxSecrets - 1 {
		if _, err := f.svc.RotateSecret(ctx, "cli", f.tenant, v.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.svc.RotateSecret(ctx, "cli", f.tenant, v.ID, time.Hour)
	if _, ok := errors.AsType[*problem.Invalid](err); !ok || !strings.Contains(err.Error(), "rotate with overlap 0") {
		t.Fatalf("one rotation too many: %v", err)
	}
}

// TestCacheSeesAnotherReplicasChange: a replica serves its cached client
// until CacheTTL has passed, then the change made elsewhere.
func TestCacheSeesAnotherReplicasChange(t *testing.T) {
	eachBackend(t, testCacheSeesAnotherReplicasChange)
}

func testCacheSeesAnotherReplicasChange(t *testing.T, f *fixture) {
	ctx := context.Background()
	v := f.create(web())
	other := f.replica()
	if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, v.Secret); err != nil { // warm the cache
		t.Fatal(err)
	}
	r, err := other.RotateSecret(ctx, "cli", f.tenant, v.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(DefaultCacheTTL - time.Millisecond)
	if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, v.Secret); err != nil {
		t.Fatalf("within CacheTTL the cached secret is served (the cache is in use): %v", err)
	}
	f.clock.Add(time.Millisecond)
	if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, v.Secret); !errors.Is(err, ErrInvalidClient) {
		t.Fatalf("after CacheTTL the revoked secret still works: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, r.Secret); err != nil {
		t.Fatalf("after CacheTTL the new secret fails: %v", err)
	}
	if err := other.Delete(ctx, "cli", f.tenant, v.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(DefaultCacheTTL)
	if _, err := f.svc.Lookup(ctx, f.tenant, v.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("a client deleted elsewhere is still served after CacheTTL: %v", err)
	}
	// A client created elsewhere is found too, from the same reload.
	n, err := other.Create(ctx, "cli", f.tenant, web())
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(DefaultCacheTTL)
	if _, err := f.svc.Lookup(ctx, f.tenant, strings.ToUpper(n.ID)); err != nil {
		t.Fatal(err)
	}
}

func TestPermitted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	board, staff := f.group("Board"), f.group("Staff")
	ada, bob, cy := f.member("ada@example.org", board), f.member("bob@example.org", staff), f.member("cy@example.org")
	open := f.create(web())
	in := web()
	in.PermittedGroups = []string{"Board", "board"}
	closed := f.create(in)
	for _, tt := range []struct {
		c    model.Client
		m    model.Member
		want bool
	}{
		{open.Client, ada, true}, {open.Client, cy, true},
		{closed.Client, ada, true}, {closed.Client, bob, false}, {closed.Client, cy, false},
	} {
		if got, err := f.svc.Permitted(ctx, tt.c, tt.m.ID); err != nil || got != tt.want {
			t.Errorf("Permitted(%s, %s) = %v, %v; want %v", tt.c.Name, tt.m.Email, got, err, tt.want)
		}
	}
	// Deleting the only permitted group shuts the client, never opens it.
	if err := f.st.Groups().Delete(ctx, f.tenant, board.ID); err != nil {
		t.Fatal(err)
	}
	c, _ := f.svc.Lookup(ctx, f.tenant, closed.ID)
	for _, m := range []model.Member{ada, cy} {
		if ok, err := f.svc.Permitted(ctx, c, m.ID); ok || err != nil {
			t.Fatalf("%s admitted after the only permitted group was deleted (%v)", m.Email, err)
		}
	}
	if v, _ := f.svc.Get(ctx, f.tenant, closed.ID); len(v.PermittedGroupNames) != 1 || v.PermittedGroupNames[0] != "(deleted group "+board.ID+")" {
		t.Fatalf("deleted group shown as %q", v.PermittedGroupNames)
	}
}

// TestCacheUnderConcurrentChange runs lookups while the same Service and a
// replica keep changing the client; under -race it proves the cache's
// publication is sound, and every answer is one of the real secrets.
func TestCacheUnderConcurrentChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.create(web())
	other := f.replica()
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := f.svc.Lookup(ctx, f.tenant, v.ID); err != nil {
					t.Error(err)
					return
				}
				f.clock.Add(time.Second)
			}
		})
	}
	for i := range 20 {
		svc := f.svc
		if i%2 == 1 {
			svc = other
		}
		// Overlap 0 every other time keeps the secrets under maxSecrets.
		if _, err := svc.RotateSecret(ctx, "cli", f.tenant, v.ID, time.Duration(i%2)*time.Minute); err != nil {
			t.Error(err)
			break
		}
	}
	close(done)
	wg.Wait()
	f.clock.Add(DefaultCacheTTL)
	latest, _ := f.svc.Get(ctx, f.tenant, v.ID)
	if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, latest.Secret); err != nil {
		t.Fatal(err)
	}
}

// TestVerificationSecretsRefusals: public and unknown clients have no
// secret to verify with, and say so as not-found rather than a fault.
func TestVerificationSecretsRefusals(t *testing.T) {
	f := newFixture(t)
	pub := f.create(Input{Name: "SPA", RedirectURIs: []string{"https://spa.example/cb"}, Public: true})
	for _, id := range []string{pub.ID, "00000000-0000-4000-8000-000000000000"} {
		if _, err := f.svc.VerificationSecrets(context.Background(), f.tenant, id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("VerificationSecrets(%s) = %v, want ErrNotFound", id, err)
		}
	}
}
