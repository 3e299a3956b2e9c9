package saml

import (
	"bytes"
	"compress/flate"
	"crypto/tls"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	cs "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/guildgate/guildgate/internal/saml/samltest"
)

// spRequest is one way an SP sends its AuthnRequest.
type spRequest func(t *testing.T, e *env, entity string) *http.Request

func viaRedirect(t *testing.T, e *env, entity string) *http.Request {
	u, err := e.sp(t, entity).MakeRedirectAuthenticationRequest("rs-123")
	if err != nil {
		t.Fatal(err)
	}
	return redirectRequest(t, u)
}

func viaPost(t *testing.T, e *env, entity string) *http.Request {
	form, err := e.sp(t, entity).MakePostAuthenticationRequest("rs-123")
	if err != nil {
		t.Fatal(err)
	}
	return postRequest(t, PathSSO, formFields(t, form))
}

// TestAuthnRequestAccepted: both bindings, signed (lms) and unsigned
// (events), give the checked fields; nothing is remembered by parsing.
func TestAuthnRequestAccepted(t *testing.T) {
	for _, tc := range []struct {
		name   string
		send   spRequest
		entity string
		acs    string
	}{
		{"redirect signed", viaRedirect, lmsEntity, lmsACS},
		{"post signed", viaPost, lmsEntity, lmsACS},
		{"redirect unsigned", viaRedirect, eventsEntity, eventsACS},
		{"post unsigned", viaPost, eventsEntity, eventsACS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a, err := e.idp.ParseAuthnRequest(tc.send(t, e, tc.entity))
			if err != nil {
				t.Fatal(err)
			}
			if a.App.EntityID != tc.entity || a.ACSURL != tc.acs || a.RelayState != "rs-123" || a.ID == "" ||
				!a.IssueInstant.Equal(t0) {
				t.Fatalf("parsed %+v", a)
			}
			if e.replay.count() != 0 {
				t.Fatal("parsing remembered the request")
			}
		})
	}
}

// TestAuthnRequestRefused: every refusal the acceptance list names, each
// with nothing remembered.
func TestAuthnRequestRefused(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, e *env) *http.Request
		kind Kind
	}{
		{"unknown entity id", func(t *testing.T, e *env) *http.Request {
			sp := e.sp(t, eventsEntity)
			delete(e.apps, eventsEntity)
			u, _ := sp.MakeRedirectAuthenticationRequest("")
			return redirectRequest(t, u)
		}, UnknownApp},
		{"unregistered ACS URL", func(t *testing.T, e *env) *http.Request {
			sp := e.sp(t, eventsEntity)
			sp.AcsURL.Path = "/elsewhere"
			u, _ := sp.MakeRedirectAuthenticationRequest("")
			return redirectRequest(t, u)
		}, UnknownACS},
		{"unregistered ACS index", func(t *testing.T, e *env) *http.Request {
			sp := e.sp(t, eventsEntity)
			seven := 7
			sp.AcsIndex = &seven
			u, _ := sp.MakeRedirectAuthenticationRequest("")
			return redirectRequest(t, u)
		}, UnknownACS},
		{"unsigned redirect where a signature is required", func(t *testing.T, e *env) *http.Request {
			sp := e.sp(t, lmsEntity)
			sp.SignatureMethod = ""
			u, _ := sp.MakeRedirectAuthenticationRequest("")
			return redirectRequest(t, u)
		}, BadSignature},
		{"unsigned post where a signature is required", func(t *testing.T, e *env) *http.Request {
			sp := e.sp(t, lmsEntity)
			sp.SignatureMethod = ""
			form, _ := sp.MakePostAuthenticationRequest("")
			return postRequest(t, PathSSO, formFields(t, form))
		}, BadSignature},
		{"tampered signed redirect", func(t *testing.T, e *env) *http.Request {
			u, _ := e.sp(t, lmsEntity).MakeRedirectAuthenticationRequest("rs")
			q := u.Query()
			q.Set("RelayState", "changed") // the query signature covers it
			u.RawQuery = q.Encode()
			return redirectRequest(t, u)
		}, BadSignature},
		{"tampered signed post", func(t *testing.T, e *env) *http.Request {
			f := postFields(t, e, lmsEntity)
			xml := strings.Replace(string(decode64(t, f.Get("SAMLRequest"))), lmsACS, lmsACS+"2", 1)
			f.Set("SAMLRequest", base64.StdEncoding.EncodeToString([]byte(xml)))
			return postRequest(t, PathSSO, f)
		}, BadSignature},
		{"signed by another key", func(t *testing.T, e *env) *http.Request {
			e.spKeys = anotherKeys(t)
			return viaPost(t, e, lmsEntity)
		}, BadSignature},
		{"signature wrapping", wrapped, BadSignature},
		{"doctype with entities (post)", func(t *testing.T, e *env) *http.Request {
			f := postFields(t, e, eventsEntity)
			f.Set("SAMLRequest", base64.StdEncoding.EncodeToString(withDoctype(decode64(t, f.Get("SAMLRequest")))))
			return postRequest(t, PathSSO, f)
		}, Forbidden},
		{"doctype with entities (redirect)", func(t *testing.T, e *env) *http.Request {
			f := postFields(t, e, eventsEntity)
			return rawRedirect(t, deflate(t, withDoctype(decode64(t, f.Get("SAMLRequest")))))
		}, Forbidden},
		{"oversized redirect query", func(t *testing.T, e *env) *http.Request {
			u, _ := e.sp(t, eventsEntity).MakeRedirectAuthenticationRequest(strings.Repeat("r", MaxQuery))
			return redirectRequest(t, u)
		}, TooLarge},
		{"deflate bomb", func(t *testing.T, e *env) *http.Request {
			bomb := deflate(t, append([]byte(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">`),
				bytes.Repeat([]byte(" "), 4<<20)...))
			if len(bomb) > MaxQuery/2 {
				t.Fatalf("bomb of %d bytes does not test the inflate limit", len(bomb))
			}
			return rawRedirect(t, bomb)
		}, TooLarge},
		{"oversized post", func(t *testing.T, e *env) *http.Request {
			f := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("<"), MaxMessage+1))}}
			return postRequest(t, PathSSO, f)
		}, TooLarge},
		{"not deflated", func(t *testing.T, e *env) *http.Request {
			return httptest.NewRequest(http.MethodGet, issuer+PathSSO+"?SAMLRequest=bm90IGRlZmxhdGU%3D", nil)
		}, Malformed},
		{"no SAMLRequest", func(t *testing.T, e *env) *http.Request {
			return httptest.NewRequest(http.MethodGet, issuer+PathSSO+"?RelayState=x", nil)
		}, Malformed},
		{"expired", func(t *testing.T, e *env) *http.Request {
			r := viaRedirect(t, e, eventsEntity)
			e.now = t0.Add(cs.MaxIssueDelay + time.Second)
			return r
		}, Expired},
		{"from the future", func(t *testing.T, e *env) *http.Request {
			e.now = t0.Add(time.Hour)
			r := viaRedirect(t, e, eventsEntity)
			e.now = t0
			return r
		}, Expired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			r := tc.make(t, e)
			_, err := e.idp.ParseAuthnRequest(r)
			wantKind(t, err, tc.kind)
			if e.replay.count() != 0 {
				t.Fatal("a refused request was remembered")
			}
		})
	}
}

// TestAuthnRequestReplay: Accept remembers a request; the same request
// again is refused, whichever binding carries it.
func TestAuthnRequestReplay(t *testing.T) {
	e := newEnv(t)
	u, err := e.sp(t, lmsEntity).MakeRedirectAuthenticationRequest("")
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.idp.ParseAuthnRequest(redirectRequest(t, u))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.idp.Accept(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	again, err := e.idp.ParseAuthnRequest(redirectRequest(t, u))
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, e.idp.Accept(t.Context(), again), Replayed)
}

// TestIssuerCommentIsNotCut: a comment inside a signed Issuer does not cut
// the value short. The request is signed with the key of
// "https://lms.example/saml.evil", and reads as that app, never as the
// app whose entity id is the text before the comment.
func TestIssuerCommentIsNotCut(t *testing.T) {
	e := newEnv(t)
	evilKeys := anotherKeys(t)
	evil := e.apps[lmsEntity]
	evil.ID, evil.EntityID, evil.SigningCert = "app-evil", lmsEntity+".evil", CertificatePEM(evilKeys.Cert.Raw)
	e.apps[evil.EntityID] = evil

	sp := e.sp(t, lmsEntity)
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(cs.HTTPPostBinding), cs.HTTPPostBinding, cs.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	req.Signature = nil
	el := req.Element()
	iss := el.FindElement("./Issuer")
	iss.SetText(lmsEntity)
	iss.AddChild(etree.NewComment(" "))
	iss.CreateText(".evil")
	signed := signEnveloped(t, evilKeys, el)
	a, err := e.idp.ParseAuthnRequest(postRequest(t, PathSSO, url.Values{"SAMLRequest": {signed}}))
	if err != nil {
		t.Fatal(err)
	}
	if a.App.EntityID != evil.EntityID {
		t.Fatalf("a request signed by %s was read as %s", evil.EntityID, a.App.EntityID)
	}
}

// wrapped is a signature-wrapping attempt: the validly signed request moved
// inside a new root that asks for another ACS URL, with the signature kept.
func wrapped(t *testing.T, e *env) *http.Request {
	f := postFields(t, e, lmsEntity)
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(decode64(t, f.Get("SAMLRequest"))); err != nil {
		t.Fatal(err)
	}
	orig := doc.Root()
	evil := orig.Copy()
	evil.CreateAttr("ID", "id-evil")
	evil.CreateAttr("AssertionConsumerServiceURL", lmsACS+"2")
	sig := evil.FindElement("./Signature")
	evil.RemoveChild(sig)
	ext := evil.CreateElement("samlp:Extensions")
	ext.AddChild(orig)
	evil.AddChild(sig)
	out := etree.NewDocument()
	out.SetRoot(evil)
	b, err := out.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	f.Set("SAMLRequest", base64.StdEncoding.EncodeToString(b))
	return postRequest(t, PathSSO, f)
}

func postFields(t testing.TB, e *env, entity string) url.Values {
	form, err := e.sp(t, entity).MakePostAuthenticationRequest("rs")
	if err != nil {
		t.Fatal(err)
	}
	return formFields(t, form)
}

// withDoctype puts a billion-laughs DTD in front of a request.
func withDoctype(xml []byte) []byte {
	dtd := `<!DOCTYPE samlp:AuthnRequest [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>`
	return append([]byte(dtd), xml...)
}

func deflate(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.Bytes()
}

func rawRedirect(t *testing.T, compressed []byte) *http.Request {
	q := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(compressed)}}
	return httptest.NewRequest(http.MethodGet, issuer+PathSSO+"?"+q.Encode(), nil)
}

func anotherKeys(t *testing.T) samltest.KeyPair { return samltest.NewKeyPair(t, "other") }

// signEnveloped signs el as an SP would, returning the base64 message.
func signEnveloped(t *testing.T, kp samltest.KeyPair, el *etree.Element) string {
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{
		Certificate: [][]byte{kp.Cert.Raw}, PrivateKey: kp.Key, Leaf: kp.Cert}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	doc.SetRoot(signed)
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}
