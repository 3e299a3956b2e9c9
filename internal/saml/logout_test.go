package saml

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/beevik/etree"
	cs "github.com/crewjam/saml"
)

func logoutRedirect(t *testing.T, sp *cs.ServiceProvider, nameID string, opts ...cs.LogoutRequestOption) *http.Request {
	t.Helper()
	u, err := sp.MakeRedirectLogoutRequest(nameID, "rs-out", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return redirectRequestTo(t, PathSLO, u)
}

func redirectRequestTo(t *testing.T, path string, u *url.URL) *http.Request {
	t.Helper()
	r := redirectRequest(t, u)
	r.URL.Path = path
	return r
}

// TestLogoutRoundTrip: a signed LogoutRequest is read (NameID and
// SessionIndex), remembered, and answered with a signed LogoutResponse the
// SP accepts, in the binding it came with.
func TestLogoutRoundTrip(t *testing.T) {
	for _, binding := range []string{cs.HTTPRedirectBinding, cs.HTTPPostBinding} {
		t.Run(binding, func(t *testing.T) {
			e := newEnv(t)
			sp := e.sp(t, lmsEntity)
			var r *http.Request
			if binding == cs.HTTPRedirectBinding {
				r = logoutRedirect(t, sp, member.ID, cs.WithSessionIndex("session-hash-1"))
			} else {
				form, err := sp.MakePostLogoutRequest(member.ID, "rs-out", cs.WithSessionIndex("session-hash-1"))
				if err != nil {
					t.Fatal(err)
				}
				r = postRequest(t, PathSLO, formFields(t, form))
			}
			lr, err := e.idp.ParseLogoutRequest(r)
			if err != nil {
				t.Fatal(err)
			}
			if lr.App.EntityID != lmsEntity || lr.NameID != member.ID || len(lr.SessionIndexes) != 1 ||
				lr.SessionIndexes[0] != "session-hash-1" || e.replay.count() != 1 {
				t.Fatalf("parsed %+v (remembered %d)", lr, e.replay.count())
			}
			reply, err := e.idp.LogoutResponse(lr, true)
			if err != nil {
				t.Fatal(err)
			}
			switch binding {
			case cs.HTTPRedirectBinding:
				u, err := url.Parse(reply.Redirect)
				if err != nil || !strings.HasPrefix(reply.Redirect, lmsSLO+"?") || u.Query().Get("RelayState") != "rs-out" {
					t.Fatalf("redirect %q", reply.Redirect)
				}
				back := httptestRequest(http.MethodGet, reply.Redirect, "")
				if _, err := sp.ParseLogoutResponse(back, []string{lr.ID}); err != nil {
					t.Fatalf("SP refused the LogoutResponse: %v (%v)", err, errors.Unwrap(err))
				}
			default:
				if reply.Form == nil || reply.Form.URL != lmsSLO || reply.Form.RelayState != "rs-out" {
					t.Fatalf("form %+v", reply.Form)
				}
				body := url.Values{"SAMLResponse": {reply.Form.SAMLResponse}, "RelayState": {"rs-out"}}
				back := httptestRequest(http.MethodPost, reply.Form.URL, body.Encode())
				if _, err := sp.ParseLogoutResponse(back, []string{lr.ID}); err != nil {
					t.Fatalf("SP refused the LogoutResponse: %v (%v)", err, errors.Unwrap(err))
				}
			}
		})
	}
}

// TestLogoutRefused: replayed, unsigned, from an app without single logout
// or unknown: refused, and nothing but the first accepted id remembered.
func TestLogoutRefused(t *testing.T) {
	e := newEnv(t)
	sp := e.sp(t, lmsEntity)
	r := logoutRedirect(t, sp, member.ID)
	if _, err := e.idp.ParseLogoutRequest(r); err != nil {
		t.Fatal(err)
	}
	_, err := e.idp.ParseLogoutRequest(redirectRequestTo(t, PathSLO, r.URL))
	wantKind(t, err, Replayed)

	sp.SignatureMethod = ""
	_, err = e.idp.ParseLogoutRequest(logoutRedirect(t, sp, member.ID))
	wantKind(t, err, BadSignature)

	events := e.sp(t, eventsEntity)
	slo, _ := url.Parse("https://events.example/slo")
	events.SloURL = *slo
	_, err = e.idp.ParseLogoutRequest(logoutRedirect(t, events, member.Email))
	wantKind(t, err, NoLogout)

	stranger := e.sp(t, lmsEntity)
	stranger.EntityID = "https://stranger.example/sp"
	_, err = e.idp.ParseLogoutRequest(logoutRedirect(t, stranger, member.ID))
	wantKind(t, err, UnknownApp)
	if e.replay.count() != 1 {
		t.Fatalf("%d ids remembered, want only the first accepted", e.replay.count())
	}
}

// TestLogoutNameIDCommentIsNotCut: a comment inside a signed NameID does
// not shorten it: the principal is the whole text, so a request naming
// "ada@example.org<!---->.evil" can never end ada@example.org's sessions.
func TestLogoutNameIDCommentIsNotCut(t *testing.T) {
	e := newEnv(t)
	sp := e.sp(t, lmsEntity)
	req, err := sp.MakeLogoutRequest(sp.GetSLOBindingLocation(cs.HTTPPostBinding), "placeholder")
	if err != nil {
		t.Fatal(err)
	}
	req.Signature = nil
	el := req.Element()
	n := el.FindElement("./NameID")
	n.SetText("ada@example.org")
	n.AddChild(etree.NewComment(""))
	n.CreateText(".evil")
	lr, err := e.idp.ParseLogoutRequest(postRequest(t, PathSLO, url.Values{"SAMLRequest": {signEnveloped(t, e.spKeys, el)}}))
	if err != nil {
		t.Fatal(err)
	}
	if lr.NameID != "ada@example.org.evil" {
		t.Fatalf("NameID read as %q", lr.NameID)
	}
}

func httptestRequest(method, target, form string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(form))
	if form != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}
