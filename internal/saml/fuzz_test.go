package saml

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Parsing is what an unauthenticated browser reaches: whatever arrives, it
// must not panic, and must end in a refusal (*Error) or a checked request,
// never in a failure of ours (the fakes behind it cannot fail).
func wantRefusalOrNil(t *testing.T, err error) {
	t.Helper()
	if _, ok := errors.AsType[*Error](err); err != nil && !ok {
		t.Fatalf("not a refusal: %v (%T)", err, err)
	}
}

func FuzzParseAuthnRequestRedirect(f *testing.F) {
	e := newEnv(f)
	for _, entity := range []string{lmsEntity, eventsEntity} {
		u, err := e.sp(f, entity).MakeRedirectAuthenticationRequest("rs")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(u.RawQuery)
	}
	f.Add("SAMLRequest=%00&SigAlg=x&Signature=y")
	f.Add("SAMLRequest=" + url.QueryEscape(strings.Repeat("A", 100)))
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := httptest.NewRequest(http.MethodGet, issuer+PathSSO, nil)
		r.URL.RawQuery = rawQuery
		_, err := e.idp.ParseAuthnRequest(r)
		wantRefusalOrNil(t, err)
	})
}

func FuzzParseAuthnRequestPost(f *testing.F) {
	e := newEnv(f)
	for _, entity := range []string{lmsEntity, eventsEntity} {
		f.Add([]byte(postFields(f, e, entity).Encode()))
	}
	f.Add([]byte("SAMLRequest=PD94bWw%2B&SAMLRequest=x"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, issuer+PathSSO, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		_, err := e.idp.ParseAuthnRequest(r)
		wantRefusalOrNil(t, err)
	})
}

func FuzzParseLogoutRequest(f *testing.F) {
	e := newEnv(f)
	u, err := e.sp(f, lmsEntity).MakeRedirectLogoutRequest(member.ID, "rs")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(u.RawQuery)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := httptest.NewRequest(http.MethodGet, issuer+PathSLO, nil)
		r.URL.RawQuery = rawQuery
		_, err := e.idp.ParseLogoutRequest(r)
		wantRefusalOrNil(t, err)
	})
}

// FuzzParseSPMetadata: an administrator's metadata file never panics the
// parser, and what it accepts names an entity id.
func FuzzParseSPMetadata(f *testing.F) {
	f.Add([]byte(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:a"><SPSSODescriptor ` +
		`protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><AssertionConsumerService ` +
		`Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://a.example/acs" index="0"/>` +
		`</SPSSODescriptor></EntityDescriptor>`))
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		reg, err := ParseSPMetadata(doc)
		if err == nil && reg.EntityID == "" && len(reg.ACSURLs) > 0 {
			t.Fatalf("accepted metadata naming no entity: %+v", reg)
		}
	})
}
