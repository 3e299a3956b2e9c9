package saml

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	cs "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/saml/samltest"
)

const issuer = "https://sso.example.org"

// t0 is the fixed time of every test here: requests are made and checked
// at it, so time bounds are exact.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeApps is Apps over a map.
type fakeApps map[string]model.SAMLApp

func (f fakeApps) ByEntityID(_ context.Context, entityID string) (model.SAMLApp, error) {
	a, ok := f[entityID]
	if !ok {
		return model.SAMLApp{}, model.ErrNotFound
	}
	return a, nil
}

// memReplay is Replay over a map, as the store's table behaves.
type memReplay struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (m *memReplay) Remember(_ context.Context, key string, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[string]time.Time{}
	}
	if _, ok := m.seen[key]; ok {
		return false, nil
	}
	m.seen[key] = until
	return true, nil
}

func (m *memReplay) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}

func loadKeys(t testing.TB, name string) (crypto.Signer, *x509.Certificate) {
	t.Helper()
	raw, err := os.ReadFile("testdata/idp-" + name + ".pem")
	if err != nil {
		t.Fatal(err)
	}
	kb, rest := pem.Decode(raw)
	cb, _ := pem.Decode(rest)
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key.(crypto.Signer), cert
}

// env is one IdP with two apps: "lms" signs its requests (a registered
// certificate), "events" does not.
type env struct {
	idp    *IdP
	replay *memReplay
	apps   fakeApps
	spKeys samltest.KeyPair
	now    time.Time
}

const (
	lmsEntity    = "https://lms.example/saml"
	lmsACS       = "https://lms.example/acs"
	lmsSLO       = "https://lms.example/slo"
	eventsEntity = "https://events.example/sp"
	eventsACS    = "https://events.example/saml/acs"
)

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{replay: &memReplay{}, spKeys: samltest.NewKeyPair(t, "lms"), now: t0}
	e.apps = fakeApps{
		lmsEntity: {ID: "app-lms", Name: "Learning", EntityID: lmsEntity, ACSURLs: []string{lmsACS, lmsACS + "2"},
			SLOURL: lmsSLO, SigningCert: CertificatePEM(e.spKeys.Cert.Raw), NameIDFormat: model.NameIDPersistent},
		eventsEntity: {ID: "app-events", Name: "Events", EntityID: eventsEntity, ACSURLs: []string{eventsACS},
			NameIDFormat: model.NameIDEmail, RelayState: "/calendar"},
	}
	signer, cert := loadKeys(t, "current")
	_, next := loadKeys(t, "next")
	e.idp = &IdP{Issuer: issuer, Keys: Keys{Signer: signer, Certificate: cert, Others: []*x509.Certificate{next}},
		Apps: e.apps, Replay: e.replay, Now: func() time.Time { return e.now }}
	return e
}

func (e *env) metadata(t testing.TB) []byte {
	t.Helper()
	md, err := e.idp.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	return md
}

// sp is crewjam's service provider for one of the apps.
func (e *env) sp(t testing.TB, entity string) *cs.ServiceProvider {
	t.Helper()
	a := e.apps[entity]
	return samltest.NewSP(t, e.metadata(t), samltest.SP{EntityID: entity, ACSURL: a.ACSURLs[0], SLOURL: a.SLOURL,
		Keys: e.spKeys, Sign: a.SigningCert != "", Now: e.now})
}

// redirectRequest is the browser's GET of an SP's Redirect-binding URL.
func redirectRequest(t testing.TB, u *url.URL) *http.Request {
	t.Helper()
	return httptest.NewRequest(http.MethodGet, issuer+PathSSO+"?"+u.RawQuery, nil)
}

// postRequest is the browser's POST of an SP's auto-submitting form.
func postRequest(t testing.TB, path string, fields url.Values) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, issuer+path, strings.NewReader(fields.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// formFields reads the hidden fields of crewjam's auto-submitting form.
func formFields(t testing.TB, page []byte) url.Values {
	t.Helper()
	return samltest.FormFields(page)
}

func decode64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantKind(t testing.TB, err error, kind Kind) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v (%T), want a refusal of kind %d", err, err, kind)
	}
	if e.Kind != kind {
		t.Fatalf("refused as kind %d (%s; cause %v), want kind %d", e.Kind, e.Message, e.Cause, kind)
	}
}

func fakeClock(at time.Time) *dsig.Clock { return dsig.NewFakeClockAt(at) }
