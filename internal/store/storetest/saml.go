package storetest

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var samlTests = []testCase{
	{"SAMLApps/CRUD", testSAMLAppCRUD},
	{"SAMLApps/EntityIDUniquePerTenant", testSAMLAppEntityUnique},
	{"SAMLApps/UpdateAborts", testSAMLAppUpdateAborts},
	{"SAMLApps/Isolation", testSAMLAppIsolation},
	{"SAMLRequests/Pending", testSAMLPending},
	{"SAMLRequests/DeleteExpired", testSAMLDeleteExpired},
	{"Concurrent/SAMLPendingConsume", testConcurrentSAMLPendingConsume},
	{"Keys/PurposeSlots", testKeyPurposeSlots},
}

func newSAMLApp(tenantID, entityID string) model.SAMLApp {
	return model.SAMLApp{
		ID: newUUIDish(), TenantID: tenantID, Name: "LMS", EntityID: entityID,
		ACSURLs: []string{"https://lms.example/acs", "https://lms.example/acs2"}, SLOURL: "https://lms.example/slo",
		SigningCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", NameIDFormat: model.NameIDPersistent,
		PermittedGroups: []string{"g1", "g2"}, RelayState: "/courses", MetadataURL: "https://lms.example/metadata",
		CreatedAt: t0, UpdatedAt: t0,
	}
}

// newUUIDish is a lower-case id, as the service generates them.
func newUUIDish() string { return "app-" + strings.ToLower(newID()) }

func mkSAMLApp(t testing.TB, s store.Store, tenantID, entityID string) model.SAMLApp {
	t.Helper()
	a := newSAMLApp(tenantID, entityID)
	ok(t, s.SAMLApps().Create(t.Context(), a))
	return a
}

func testSAMLAppCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	a := mkSAMLApp(t, s, tn.ID, "https://lms.example/sp")
	got, err := s.SAMLApps().Get(ctx, tn.ID, a.ID)
	ok(t, err)
	equal(t, got, a)
	got, err = s.SAMLApps().GetByEntityID(ctx, tn.ID, a.EntityID)
	ok(t, err)
	equal(t, got, a)
	_, err = s.SAMLApps().GetByEntityID(ctx, tn.ID, "https://LMS.example/sp") // entity ids compare exactly
	wantErr(t, err, model.ErrNotFound)

	bare := model.SAMLApp{ID: newUUIDish(), TenantID: tn.ID, Name: "Bare", EntityID: "urn:bare",
		ACSURLs: []string{"https://bare.example/acs"}, NameIDFormat: model.NameIDEmail, CreatedAt: t0.Add(time.Second),
		UpdatedAt: t0.Add(time.Second)}
	ok(t, s.SAMLApps().Create(ctx, bare))
	list, err := s.SAMLApps().List(ctx, tn.ID)
	ok(t, err)
	equal(t, list, []model.SAMLApp{a, bare}) // empty lists read back nil

	later := t0.Add(time.Hour)
	got, err = s.SAMLApps().Update(ctx, tn.ID, a.ID, func(old model.SAMLApp) (model.SAMLApp, error) {
		expect(t, old, a)
		old.Name, old.EntityID, old.ACSURLs, old.PermittedGroups = "LMS 2", "urn:lms2", []string{"https://lms2.example/acs"}, nil
		old.AllMembers = true
		old.SLOURL, old.SigningCert, old.RelayState, old.UpdatedAt = "", "", "", later
		return old, nil
	})
	ok(t, err)
	want := a
	want.Name, want.EntityID, want.ACSURLs, want.PermittedGroups = "LMS 2", "urn:lms2", []string{"https://lms2.example/acs"}, nil
	want.AllMembers = true
	want.SLOURL, want.SigningCert, want.RelayState, want.UpdatedAt = "", "", "", later
	equal(t, got, want)
	got, err = s.SAMLApps().Get(ctx, tn.ID, a.ID)
	ok(t, err)
	equal(t, got, want)

	ok(t, s.SAMLApps().Delete(ctx, tn.ID, a.ID))
	_, err = s.SAMLApps().Get(ctx, tn.ID, a.ID)
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.SAMLApps().Delete(ctx, tn.ID, a.ID), model.ErrNotFound)
	_, err = s.SAMLApps().Update(ctx, tn.ID, a.ID, mustNotCall[model.SAMLApp](t))
	wantErr(t, err, model.ErrNotFound)
}

func testSAMLAppEntityUnique(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	first := mkSAMLApp(t, s, a.ID, "urn:shared")
	mkSAMLApp(t, s, b.ID, "urn:shared") // another tenant may register the same SP
	wantErr(t, s.SAMLApps().Create(ctx, newSAMLApp(a.ID, "urn:shared")), model.ErrConflict)
	dupID := newSAMLApp(a.ID, "urn:other")
	dupID.ID = first.ID
	wantErr(t, s.SAMLApps().Create(ctx, dupID), model.ErrConflict)

	second := mkSAMLApp(t, s, a.ID, "urn:second")
	_, err := s.SAMLApps().Update(ctx, a.ID, second.ID, func(old model.SAMLApp) (model.SAMLApp, error) {
		old.EntityID = "urn:shared"
		return old, nil
	})
	wantErr(t, err, model.ErrConflict)
	got, err := s.SAMLApps().Get(ctx, a.ID, second.ID)
	ok(t, err)
	equal(t, got, second)
}

func testSAMLAppUpdateAborts(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	a := mkSAMLApp(t, s, tn.ID, "urn:lms")
	for name, edit := range map[string]func(*model.SAMLApp){
		"id": func(x *model.SAMLApp) { x.ID = "other" }, "tenant": func(x *model.SAMLApp) { x.TenantID = "other" },
		"created": func(x *model.SAMLApp) { x.CreatedAt = t0.Add(time.Hour) },
	} {
		_, err := s.SAMLApps().Update(ctx, tn.ID, a.ID, func(old model.SAMLApp) (model.SAMLApp, error) {
			old.Name = "changed"
			edit(&old)
			return old, nil
		})
		if err == nil {
			t.Errorf("update changing %s succeeded", name)
		}
	}
	_, err := s.SAMLApps().Update(ctx, tn.ID, a.ID, func(old model.SAMLApp) (model.SAMLApp, error) {
		old.Name = "changed"
		return old, errBoom
	})
	wantErr(t, err, errBoom)
	got, err := s.SAMLApps().Get(ctx, tn.ID, a.ID)
	ok(t, err)
	equal(t, got, a)
}

// testSAMLAppIsolation: an app of one tenant is invisible from another,
// and ids match case-insensitively, as client ids do.
func testSAMLAppIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	app := mkSAMLApp(t, s, a.ID, "urn:lms")
	got, err := s.SAMLApps().Get(ctx, a.ID, strings.ToUpper(app.ID))
	ok(t, err)
	equal(t, got, app)
	_, err = s.SAMLApps().Get(ctx, b.ID, app.ID)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.SAMLApps().GetByEntityID(ctx, b.ID, app.EntityID)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.SAMLApps().Update(ctx, b.ID, app.ID, mustNotCall[model.SAMLApp](t))
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.SAMLApps().Delete(ctx, b.ID, app.ID), model.ErrNotFound)
	list, err := s.SAMLApps().List(ctx, b.ID)
	ok(t, err)
	equal(t, len(list), 0)
}

func mkPending(t testing.TB, s store.Store, app model.SAMLApp, edit func(*model.SAMLPending)) model.SAMLPending {
	t.Helper()
	p := model.SAMLPending{Hash: newID(), TenantID: app.TenantID, AppID: app.ID, RequestID: "id-" + newID(),
		ACSURL: app.ACSURLs[0], RelayState: "rs-1", ForceAuthn: true, BrowserHash: "b-" + newID(),
		CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute)}
	if edit != nil {
		edit(&p)
	}
	ok(t, s.SAMLRequests().CreatePending(t.Context(), p))
	return p
}

func testSAMLPending(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	app := mkSAMLApp(t, s, a.ID, "urn:lms")
	p := mkPending(t, s, app, nil)
	if _, _, err := s.SAMLRequests().ConsumePending(ctx, a.ID, p.Hash, time.Time{}); err == nil {
		t.Fatal("consuming at the zero time succeeded")
	}
	_, _, err := s.SAMLRequests().ConsumePending(ctx, b.ID, p.Hash, t0)
	wantErr(t, err, model.ErrNotFound)
	at := t0.Add(time.Second)
	got, first, err := s.SAMLRequests().ConsumePending(ctx, a.ID, p.Hash, at)
	ok(t, err)
	want := p
	want.ConsumedAt = at
	equal(t, first, true)
	equal(t, got, want)
	got, first, err = s.SAMLRequests().ConsumePending(ctx, a.ID, p.Hash, at.Add(time.Second))
	ok(t, err)
	equal(t, first, false)
	equal(t, got, want)
	wantErr(t, s.SAMLRequests().CreatePending(ctx, p), model.ErrConflict)

	orphan := p
	orphan.Hash, orphan.AppID = newID(), "missing"
	wantErr(t, s.SAMLRequests().CreatePending(ctx, orphan), model.ErrNotFound)
	other := p
	other.Hash, other.TenantID = newID(), b.ID // the app is not b's
	wantErr(t, s.SAMLRequests().CreatePending(ctx, other), model.ErrNotFound)

	// A pending request goes with its app.
	waiting := mkPending(t, s, app, nil)
	ok(t, s.SAMLApps().Delete(ctx, a.ID, app.ID))
	_, _, err = s.SAMLRequests().ConsumePending(ctx, a.ID, waiting.Hash, at)
	wantErr(t, err, model.ErrNotFound)
}

func testSAMLDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	appA, appB := mkSAMLApp(t, s, a.ID, "urn:lms"), mkSAMLApp(t, s, b.ID, "urn:lms")
	gone := []model.SAMLPending{
		mkPending(t, s, appA, func(p *model.SAMLPending) { p.ExpiresAt = t0 }),
		mkPending(t, s, appB, func(p *model.SAMLPending) { p.ExpiresAt = t0 }),
	}
	kept := mkPending(t, s, appA, func(p *model.SAMLPending) { p.ExpiresAt = t0.Add(time.Hour) })

	n, err := s.SAMLRequests().DeleteExpired(ctx, t0.Add(time.Minute))
	ok(t, err)
	equal(t, n, int64(2))
	for _, p := range gone {
		_, _, err := s.SAMLRequests().ConsumePending(ctx, p.TenantID, p.Hash, t0)
		wantErr(t, err, model.ErrNotFound)
	}
	_, first, err := s.SAMLRequests().ConsumePending(ctx, a.ID, kept.Hash, t0)
	ok(t, err)
	equal(t, first, true)
}

func testConcurrentSAMLPendingConsume(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	p := mkPending(t, s, mkSAMLApp(t, s, tn.ID, "urn:lms"), nil)
	var firsts atomic.Int32
	race(t, func(int) error {
		_, first, err := s.SAMLRequests().ConsumePending(t.Context(), tn.ID, p.Hash, t0.Add(time.Second))
		if first {
			firsts.Add(1)
		}
		return err
	})
	equal(t, firsts.Load(), int32(1))
}

// testKeyPurposeSlots: a tenant holds one current key per purpose and
// algorithm, so a SAML RS256 key and a token RS256 key are both current; a
// key's purpose is as immutable as its algorithm; an unset purpose is
// stored as tokens.
func testKeyPurposeSlots(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	tok := newKey(tn.ID, model.AlgRS256, model.KeyCurrent, time.Hour)
	sml := newKey(tn.ID, model.AlgRS256, model.KeyCurrent, 2*time.Hour)
	sml.Purpose = model.KeyForSAML
	legacy := newKey(tn.ID, model.AlgES256, model.KeyNext, 3*time.Hour)
	legacy.Purpose = ""
	got := addKeys(t, s, tn.ID, tok, sml, legacy)
	legacy.Purpose = model.KeyForTokens
	equal(t, got, []model.SigningKey{tok, sml, legacy})

	second := newKey(tn.ID, model.AlgRS256, model.KeyCurrent, 0)
	second.Purpose = model.KeyForSAML
	_, err := s.Keys().Replace(ctx, tn.ID, func(ks []model.SigningKey) ([]model.SigningKey, error) {
		return append(ks, second), nil
	})
	wantErr(t, err, model.ErrConflict)
	_, err = s.Keys().Replace(ctx, tn.ID, func(ks []model.SigningKey) ([]model.SigningKey, error) {
		ks[2].Purpose = model.KeyForSAML
		return ks, nil
	})
	if err == nil {
		t.Fatal("changing a key's purpose succeeded")
	}
	equal(t, listKeys(t, s, tn.ID), got)
}
