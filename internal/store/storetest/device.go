package storetest

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var deviceTests = []testCase{
	{"DeviceAuthorizations/RoundTrip", testDeviceRoundTrip},
	{"DeviceAuthorizations/UserCodeUnique", testDeviceUserCodeUnique},
	{"DeviceAuthorizations/Update", testDeviceUpdate},
	{"DeviceAuthorizations/Isolation", testDeviceIsolation},
	{"DeviceAuthorizations/GoesWithClient", testDeviceGoesWithClient},
	{"DeviceAuthorizations/DeleteExpired", testDeviceDeleteExpired},
	{"Concurrent/DeviceConsumeOnce", testConcurrentDeviceConsume},
}

func mkDevice(t testing.TB, s store.Store, tenantID, clientID string, edit func(*model.DeviceAuthorization)) model.DeviceAuthorization {
	t.Helper()
	d := model.DeviceAuthorization{
		DeviceHash: newID(), UserCodeHash: newID(), TenantID: tenantID, ClientID: clientID,
		Scopes: []string{"openid", "offline_access"}, Interval: 5 * time.Second, Status: model.DevicePending,
		CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute),
	}
	if edit != nil {
		edit(&d)
	}
	ok(t, s.DeviceAuthorizations().Create(t.Context(), d))
	return d
}

// testDeviceRoundTrip: what is stored reads back the same by either code,
// an upper-cased client id included.
func testDeviceRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	c := mkClient(t, s, tn.ID, nil)
	d := mkDevice(t, s, tn.ID, strings.ToUpper(c.ID), nil)
	d.ClientID = c.ID
	got, err := s.DeviceAuthorizations().Get(ctx, tn.ID, d.DeviceHash)
	ok(t, err)
	equal(t, got, d)
	got, err = s.DeviceAuthorizations().GetByUserCode(ctx, tn.ID, d.UserCodeHash)
	ok(t, err)
	equal(t, got, d)
	_, err = s.DeviceAuthorizations().Get(ctx, tn.ID, d.UserCodeHash)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.DeviceAuthorizations().GetByUserCode(ctx, tn.ID, d.DeviceHash)
	wantErr(t, err, model.ErrNotFound)
	err = s.DeviceAuthorizations().Create(ctx, model.DeviceAuthorization{DeviceHash: newID(), UserCodeHash: newID(),
		TenantID: tn.ID, ClientID: "no-such-client", Status: model.DevicePending, CreatedAt: t0, ExpiresAt: t0})
	wantErr(t, err, model.ErrNotFound)
}

// testDeviceUserCodeUnique: a user code names one request in a tenant, so
// the server draws again on a collision; another tenant may hold the same.
func testDeviceUserCodeUnique(t *testing.T, s store.Store) {
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	ca, cb := mkClient(t, s, a.ID, nil), mkClient(t, s, b.ID, nil)
	d := mkDevice(t, s, a.ID, ca.ID, nil)
	err := s.DeviceAuthorizations().Create(t.Context(), model.DeviceAuthorization{DeviceHash: newID(),
		UserCodeHash: d.UserCodeHash, TenantID: a.ID, ClientID: ca.ID, Status: model.DevicePending, CreatedAt: t0, ExpiresAt: t0})
	wantErr(t, err, model.ErrConflict)
	err = s.DeviceAuthorizations().Create(t.Context(), model.DeviceAuthorization{DeviceHash: d.DeviceHash,
		UserCodeHash: newID(), TenantID: a.ID, ClientID: ca.ID, Status: model.DevicePending, CreatedAt: t0, ExpiresAt: t0})
	wantErr(t, err, model.ErrConflict)
	mkDevice(t, s, b.ID, cb.ID, func(x *model.DeviceAuthorization) { x.UserCodeHash = d.UserCodeHash })
}

// testDeviceUpdate: every mutable field is written; fn's error and a
// change to an identity field abort, leaving the row as it was.
func testDeviceUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	c := mkClient(t, s, tn.ID, nil)
	d := mkDevice(t, s, tn.ID, c.ID, nil)
	want := d
	want.Scopes, want.Interval, want.Status = []string{"openid"}, 10*time.Second, model.DeviceApproved
	want.MemberID, want.GrantID = "m-1", "g-1"
	want.PolledAt, want.DecidedAt, want.ConsumedAt = t0.Add(time.Second), t0.Add(2*time.Second), t0.Add(3*time.Second)
	want.ExpiresAt = t0.Add(time.Hour)
	got, err := s.DeviceAuthorizations().Update(ctx, tn.ID, d.DeviceHash, func(model.DeviceAuthorization) (model.DeviceAuthorization, error) {
		return want, nil
	})
	ok(t, err)
	equal(t, got, want)
	got, err = s.DeviceAuthorizations().Get(ctx, tn.ID, d.DeviceHash)
	ok(t, err)
	equal(t, got, want)
	_, err = s.DeviceAuthorizations().Update(ctx, tn.ID, d.DeviceHash, func(x model.DeviceAuthorization) (model.DeviceAuthorization, error) {
		x.Status = model.DeviceDenied
		return x, errBoom
	})
	wantErr(t, err, errBoom)
	for _, edit := range []func(*model.DeviceAuthorization){
		func(x *model.DeviceAuthorization) { x.UserCodeHash = newID() },
		func(x *model.DeviceAuthorization) { x.ClientID = "other" },
		func(x *model.DeviceAuthorization) { x.CreatedAt = x.CreatedAt.Add(time.Second) },
		func(x *model.DeviceAuthorization) { x.DeviceHash = newID() },
	} {
		_, err = s.DeviceAuthorizations().Update(ctx, tn.ID, d.DeviceHash, func(x model.DeviceAuthorization) (model.DeviceAuthorization, error) {
			x.Status = model.DeviceDenied
			edit(&x)
			return x, nil
		})
		if err == nil {
			t.Fatal("an identity change was written")
		}
	}
	got, err = s.DeviceAuthorizations().Get(ctx, tn.ID, d.DeviceHash)
	ok(t, err)
	equal(t, got, want)
	_, err = s.DeviceAuthorizations().Update(ctx, tn.ID, newID(), func(x model.DeviceAuthorization) (model.DeviceAuthorization, error) {
		return x, nil
	})
	wantErr(t, err, model.ErrNotFound)
}

// testDeviceIsolation: another tenant's request is not found by either
// code and cannot be updated.
func testDeviceIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	d := mkDevice(t, s, a.ID, mkClient(t, s, a.ID, nil).ID, nil)
	_, err := s.DeviceAuthorizations().Get(ctx, b.ID, d.DeviceHash)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.DeviceAuthorizations().GetByUserCode(ctx, b.ID, d.UserCodeHash)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.DeviceAuthorizations().Update(ctx, b.ID, d.DeviceHash, func(x model.DeviceAuthorization) (model.DeviceAuthorization, error) {
		x.Status = model.DeviceApproved
		return x, nil
	})
	wantErr(t, err, model.ErrNotFound)
	got, err := s.DeviceAuthorizations().Get(ctx, a.ID, d.DeviceHash)
	ok(t, err)
	equal(t, got, d)
}

func testDeviceGoesWithClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	c, other := mkClient(t, s, tn.ID, nil), mkClient(t, s, tn.ID, nil)
	d, kept := mkDevice(t, s, tn.ID, c.ID, nil), mkDevice(t, s, tn.ID, other.ID, nil)
	ok(t, s.Clients().Delete(ctx, tn.ID, c.ID))
	_, err := s.DeviceAuthorizations().Get(ctx, tn.ID, d.DeviceHash)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.DeviceAuthorizations().Get(ctx, tn.ID, kept.DeviceHash)
	ok(t, err)
}

func testDeviceDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	old := mkDevice(t, s, a.ID, mkClient(t, s, a.ID, nil).ID, nil)
	edge := mkDevice(t, s, b.ID, mkClient(t, s, b.ID, nil).ID, func(x *model.DeviceAuthorization) { x.ExpiresAt = t0.Add(time.Hour) })
	n, err := s.DeviceAuthorizations().DeleteExpired(ctx, t0.Add(time.Hour))
	ok(t, err)
	equal(t, n, int64(1))
	_, err = s.DeviceAuthorizations().Get(ctx, a.ID, old.DeviceHash)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.DeviceAuthorizations().Get(ctx, b.ID, edge.DeviceHash)
	ok(t, err)
}

// testConcurrentDeviceConsume: pollers racing on an approved request (two
// replicas, say) see each other's writes: exactly one consumes it.
func testConcurrentDeviceConsume(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	d := mkDevice(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, func(x *model.DeviceAuthorization) {
		x.Status, x.GrantID, x.DecidedAt = model.DeviceApproved, "g-1", t0
	})
	errUsed := errors.New("used")
	var wins, polls atomic.Int64
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.DeviceAuthorizations().Update(t.Context(), tn.ID, d.DeviceHash, func(x model.DeviceAuthorization) (model.DeviceAuthorization, error) {
				if !x.ConsumedAt.IsZero() {
					return x, errUsed
				}
				x.ConsumedAt, x.PolledAt = t0.Add(time.Duration(i+1)*time.Second), t0.Add(time.Duration(i+1)*time.Second)
				return x, nil
			})
			polls.Add(1)
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, errUsed):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	equal(t, wins.Load(), int64(1))
	equal(t, polls.Load(), int64(8))
}
