package samlapps

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/saml/samltest"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	svc  *Service
	st   store.Store
	cert string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := storetest.NewSQLite(t)
	ctx := t.Context()
	if err := st.Tenants().Create(ctx, model.Tenant{ID: "t1", Slug: "default", Name: "Guild", Issuer: "https://sso.example"}); err != nil {
		t.Fatal(err)
	}
	for _, g := range []string{"Board", "Staff"} {
		if err := st.Groups().Create(ctx, model.Group{ID: "g-" + g, TenantID: "t1", Name: g, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	kp := samltest.NewKeyPair(t, "sp")
	return &env{st: st, cert: saml.CertificatePEM(kp.Cert.Raw),
		svc: &Service{Store: st.SAMLApps(), Groups: st.Groups(), Audit: st.Audit(), Now: func() time.Time { return t0 }}}
}

// spMetadata is an SP's metadata as apps publish it: a POST ACS at index
// 1 marked default after a non-default one, a Redirect SLO, a signing key.
func spMetadata(cert string) string {
	body := strings.NewReplacer("-----BEGIN CERTIFICATE-----", "", "-----END CERTIFICATE-----", "").Replace(cert)
	return fmt.Sprintf(`<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://lms.example/sp">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="true">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://lms.example/slo"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://lms.example/art" index="0"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://lms.example/acs-old" index="2"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://lms.example/acs" index="3" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`, body)
}

func wantFromMetadata(t *testing.T, v View, cert string) {
	t.Helper()
	if v.EntityID != "https://lms.example/sp" || strings.Join(v.ACSURLs, " ") != "https://lms.example/acs https://lms.example/acs-old" ||
		v.SLOURL != "https://lms.example/slo" || v.SigningCert != cert || v.NameIDFormat != model.NameIDEmail {
		t.Fatalf("registered %+v", v.SAMLApp)
	}
}

func TestCreateFromMetadataFile(t *testing.T) {
	e := newEnv(t)
	v, err := e.svc.Create(t.Context(), "cli", "t1", Input{Name: "LMS", Metadata: []byte(spMetadata(e.cert)),
		PermittedGroups: []string{"staff"}, NameIDFormat: "Persistent", RelayState: "/courses"})
	if err != nil {
		t.Fatal(err)
	}
	v.NameIDFormat = model.NameIDEmail // checked below
	wantFromMetadata(t, v, e.cert)
	got, err := e.svc.Get(t.Context(), "t1", v.ID)
	if err != nil || got.NameIDFormat != model.NameIDPersistent || got.RelayState != "/courses" ||
		strings.Join(got.PermittedGroupNames, ",") != "Staff" {
		t.Fatalf("stored %+v, %v", got, err)
	}
	audit, err := e.st.Audit().List(t.Context(), "t1", store.AuditQuery{Action: "samlapp.create"})
	if err != nil || len(audit.Items) != 1 || audit.Items[0].Target != "samlapp:"+v.ID || audit.Items[0].Actor != "cli" {
		t.Fatalf("audit %+v, %v", audit.Items, err)
	}
}

func TestCreateFromMetadataURL(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metadata" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, spMetadata(e.cert))
	}))
	defer srv.Close()
	e.svc.Fetch = srv.Client()
	v, err := e.svc.Create(t.Context(), "cli", "t1", Input{Name: "LMS", MetadataURL: srv.URL + "/metadata"})
	if err != nil {
		t.Fatal(err)
	}
	wantFromMetadata(t, v, e.cert)
	if v.MetadataURL != srv.URL+"/metadata" {
		t.Fatalf("metadata URL %q", v.MetadataURL)
	}
	_, err = e.svc.Create(t.Context(), "cli", "t1", Input{Name: "Other", MetadataURL: srv.URL + "/missing"})
	wantProblem(t, err, "metadata_url", "HTTP 404")
}

func TestCreateByHand(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Create(t.Context(), "cli", "t1", Input{Name: "Events", EntityID: "urn:events",
		ACSURLs: []string{"https://events.example/acs", ""}})
	wantProblem(t, err, "acs_urls", "empty entry") // a stray comma is a mistake, as for clients
	v, err := e.svc.Create(t.Context(), "cli", "t1", Input{Name: "Events", EntityID: "urn:events",
		ACSURLs: []string{" https://events.example/acs "}})
	if err != nil {
		t.Fatal(err)
	}
	if v.EntityID != "urn:events" || len(v.ACSURLs) != 1 || v.ACSURLs[0] != "https://events.example/acs" ||
		v.NameIDFormat != model.NameIDEmail || len(v.PermittedGroups) != 0 {
		t.Fatalf("registered %+v", v.SAMLApp)
	}
	_, err = e.svc.Create(t.Context(), "cli", "t1", Input{Name: "Again", EntityID: "urn:events",
		ACSURLs: []string{"https://events.example/acs"}})
	if _, ok := errors.AsType[*problem.Conflict](err); !ok {
		t.Fatalf("a second app with one entity id: %v", err)
	}
}

// TestCreateRefusals: each bad input is named on its field, all at once,
// and nothing is stored.
func TestCreateRefusals(t *testing.T) {
	tests := []struct {
		name  string
		in    func(e *env) Input
		field string
		text  string
	}{
		{"no name", func(*env) Input { return Input{EntityID: "urn:a", ACSURLs: []string{"https://a.example/acs"}} }, "name", "required"},
		{"name with a line break", func(*env) Input {
			return Input{Name: "LMS\n", EntityID: "urn:a", ACSURLs: []string{"https://a.example/acs"}}
		}, "name", "control"},
		{"no entity id", func(*env) Input { return Input{Name: "A", ACSURLs: []string{"https://a.example/acs"}} }, "entity_id", "required"},
		{"no ACS", func(*env) Input { return Input{Name: "A", EntityID: "urn:a"} }, "acs_urls", "at least one"},
		{"http ACS", func(*env) Input {
			return Input{Name: "A", EntityID: "urn:a", ACSURLs: []string{"http://a.example/acs"}}
		}, "acs_urls", "https"},
		{"ACS with fragment", func(*env) Input {
			return Input{Name: "A", EntityID: "urn:a", ACSURLs: []string{"https://a.example/acs#x"}}
		}, "acs_urls", "fragment"},
		{"bad SLO", func(*env) Input {
			return Input{Name: "A", EntityID: "urn:a", ACSURLs: []string{"https://a.example/acs"}, SLOURL: "javascript:alert(1)"}
		}, "slo_url", ""},
		{"bad certificate", func(*env) Input {
			return Input{Name: "A", EntityID: "urn:a", ACSURLs: []string{"https://a.example/acs"}, SigningCert: "MIIB"}
		}, "signing_cert", "PEM"},
		{"bad format", func(*env) Input {
			return Input{Name: "A", EntityID: "urn:a", ACSURLs: []string{"https://a.example/acs"}, NameIDFormat: "x509"}
		}, "nameid_format", "x509"},
		{"long relay state", func(*env) Input {
			return Input{Name: "A", EntityID: "urn:a", ACSURLs: []string{"https://a.example/acs"}, RelayState: strings.Repeat("r", 81)}
		}, "relay_state", "80"},
		{"unknown group", func(*env) Input {
			return Input{Name: "A", EntityID: "urn:a", ACSURLs: []string{"https://a.example/acs"}, PermittedGroups: []string{"Nope"}}
		}, "permitted_groups", "Nope"},
		{"metadata with a doctype", func(e *env) Input {
			return Input{Name: "A", Metadata: []byte(`<!DOCTYPE x [<!ENTITY a "b">]>` + spMetadata(e.cert))}
		}, "metadata", "document type"},
		{"metadata of an IdP", func(*env) Input {
			return Input{Name: "A", Metadata: []byte(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`)}
		}, "metadata", "no service provider"},
		{"http metadata URL", func(*env) Input { return Input{Name: "A", MetadataURL: "http://a.example/md"} }, "metadata_url", "https"},
		{"URL and file", func(e *env) Input {
			return Input{Name: "A", MetadataURL: "https://a.example/md", Metadata: []byte(spMetadata(e.cert))}
		}, "metadata_url", "not both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.svc.Create(t.Context(), "cli", "t1", tc.in(e))
			wantProblem(t, err, tc.field, tc.text)
			if as, _ := e.st.SAMLApps().List(t.Context(), "t1"); len(as) != 0 {
				t.Fatal("a refused app was stored")
			}
		})
	}
}

func wantProblem(t *testing.T, err error, field, text string) {
	t.Helper()
	inv, ok := errors.AsType[*problem.Invalid](err)
	if !ok {
		t.Fatalf("error %v (%T), want problems", err, err)
	}
	for _, p := range inv.Problems {
		if p.Field == field && strings.Contains(p.Message, text) {
			return
		}
	}
	t.Fatalf("problems %v lack %s: …%s…", inv.Problems, field, text)
}

func TestUpdateAndDelete(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	v, err := e.svc.Create(ctx, "cli", "t1", Input{Name: "Events", EntityID: "urn:events", ACSURLs: []string{"https://events.example/acs"},
		PermittedGroups: []string{"Board"}})
	if err != nil {
		t.Fatal(err)
	}
	meta := []byte(spMetadata(e.cert))
	empty := []string{}
	u, err := e.svc.Update(ctx, "cli", "t1", strings.ToUpper(v.ID), Patch{Metadata: &meta, PermittedGroups: &empty})
	if err != nil {
		t.Fatal(err)
	}
	wantFromMetadata(t, u, e.cert)
	if len(u.PermittedGroups) != 0 || u.Name != "Events" {
		t.Fatalf("updated %+v", u.SAMLApp)
	}
	bad := "ftp://x"
	_, err = e.svc.Update(ctx, "cli", "t1", v.ID, Patch{SLOURL: &bad})
	wantProblem(t, err, "slo_url", "")
	_, err = e.svc.Update(ctx, "cli", "t1", v.ID, Patch{})
	wantProblem(t, err, "", "nothing to change")
	if err := e.svc.Delete(ctx, "cli", "t1", v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Get(ctx, "t1", v.ID); !errors.As(err, new(*problem.NotFound)) {
		t.Fatalf("deleted app: %v", err)
	}
	audit, _ := e.st.Audit().List(ctx, "t1", store.AuditQuery{Action: "samlapp."})
	if len(audit.Items) != 3 || audit.Items[1].Detail["fields"] != "metadata,permitted_groups" {
		t.Fatalf("audit %+v", audit.Items)
	}
}

// TestPermitted: an app opened to every member admits everyone; a
// restricted one its groups' members; a deleted permitted group admits
// nobody, and so does a restricted app with no group left.
func TestPermitted(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	m := model.Member{ID: "m1", TenantID: "t1", Email: "ada@example.org", Name: "Ada", Status: model.StatusCurrent, CreatedAt: t0, UpdatedAt: t0}
	if err := e.st.Members().Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Groups().AddMember(ctx, "t1", "g-Staff", "m1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		all    bool
		groups []string
		want   bool
	}{{true, nil, true}, {false, nil, false}, {false, []string{"g-Staff"}, true}, {false, []string{"g-Board"}, false},
		{false, []string{"g-deleted"}, false}} {
		ok, err := e.svc.Permitted(ctx, model.SAMLApp{TenantID: "t1", AllMembers: tc.all, PermittedGroups: tc.groups}, "m1")
		if err != nil || ok != tc.want {
			t.Errorf("all %v, groups %v: permitted %v, %v; want %v", tc.all, tc.groups, ok, err, tc.want)
		}
	}
}

// TestAccessChoice: who may use an app changes only by an explicit
// choice. An empty list (API, CLI) opens it; deleting its only group
// leaves it restricted and admitting nobody; a console re-save that
// selects no group with "Only these groups" keeps it so; "Every member"
// with groups beside it is refused.
func TestAccessChoice(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	open, err := e.svc.Create(ctx, "cli", "t1", Input{Name: "Open", EntityID: "urn:open", ACSURLs: []string{"https://open.example/acs"}})
	if err != nil || !open.AllMembers || open.AdmitsNobody {
		t.Fatalf("no groups given: %+v, %v", open.SAMLApp, err)
	}
	v, err := e.svc.Create(ctx, "cli", "t1", Input{Name: "LMS", EntityID: "urn:lms", ACSURLs: []string{"https://lms.example/acs"},
		PermittedGroups: []string{"Board"}})
	if err != nil || v.AllMembers {
		t.Fatalf("restricted: %+v, %v", v.SAMLApp, err)
	}
	if err := e.st.Groups().Delete(ctx, "t1", "g-Board"); err != nil {
		t.Fatal(err)
	}
	v, err = e.svc.Get(ctx, "t1", v.ID)
	if err != nil || v.AllMembers || !v.AdmitsNobody {
		t.Fatalf("after its group's deletion: %+v, admits nobody %v, %v", v.SAMLApp, v.AdmitsNobody, err)
	}
	name, no, none := "LMS 2", false, []string{}
	v, err = e.svc.Update(ctx, "console", "t1", v.ID, Patch{Name: &name, AllMembers: &no, PermittedGroups: &none})
	if err != nil || v.AllMembers || !v.AdmitsNobody || v.Name != "LMS 2" {
		t.Fatalf("console re-save: %+v, %v", v.SAMLApp, err)
	}
	yes, staff := true, []string{"Staff"}
	_, err = e.svc.Update(ctx, "console", "t1", v.ID, Patch{AllMembers: &yes, PermittedGroups: &staff})
	wantProblem(t, err, "permitted_groups", "the app is to be open to every member: choose one or the other")
	_, err = e.svc.Create(ctx, "console", "t1", Input{Name: "X", EntityID: "urn:x", ACSURLs: []string{"https://x.example/acs"}, AllMembers: &no})
	wantProblem(t, err, "permitted_groups", "choose at least one group, or open the app to every member")
	v, err = e.svc.Update(ctx, "console", "t1", v.ID, Patch{AllMembers: &yes, PermittedGroups: &none})
	if err != nil || !v.AllMembers || len(v.PermittedGroups) != 0 {
		t.Fatalf("opened: %+v, %v", v.SAMLApp, err)
	}
}

// TestMetadataURLUnderAddressPolicy: metadata is fetched through the
// outbound client, so a URL on a loopback (or private) address is refused
// unless the operator allows private upstreams, and the server is never
// reached.
func TestMetadataURLUnderAddressPolicy(t *testing.T) {
	e := newEnv(t)
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, spMetadata(e.cert))
	}))
	defer srv.Close()
	e.svc.Fetch = outbound.New(outbound.Options{}).For(outbound.SAMLMetadata)
	_, err := e.svc.Create(t.Context(), "cli", "t1", Input{Name: "LMS", MetadataURL: srv.URL + "/metadata"})
	wantProblem(t, err, "metadata_url", "could not be fetched")
	if hits.Load() != 0 {
		t.Fatal("the loopback server was reached")
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	e.svc.Fetch = outbound.New(outbound.Options{AllowPrivate: true, RootCAs: pool}).For(outbound.SAMLMetadata)
	v, err := e.svc.Create(t.Context(), "cli", "t1", Input{Name: "LMS", MetadataURL: srv.URL + "/metadata"})
	if err != nil {
		t.Fatal(err)
	}
	wantFromMetadata(t, v, e.cert)
}
