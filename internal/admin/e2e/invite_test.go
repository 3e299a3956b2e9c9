package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/guildgate/guildgate/internal/testenv"
)

type invitation struct {
	MemberID string `json:"member_id"`
	Email    string `json:"email"`
	Mailed   bool   `json:"mailed"`
	URL      string `json:"url"`
}

// accept sets password through the invitation at path and expects to be
// signed in.
func accept(t *testing.T, s *testenv.Server, path string) *browser {
	t.Helper()
	b := newBrowser(t, s)
	form := b.get(path)
	if form.status != http.StatusOK || form.token == "" {
		t.Fatalf("invitation page: %d\n%s", form.status, form.body)
	}
	p := b.post(path, url.Values{"csrf_token": {form.token}, "password": {password}, "password2": {password}})
	if p.status != http.StatusSeeOther || sessionOf(b) == "" {
		t.Fatalf("accept: %d → %q\n%s", p.status, p.location, p.body)
	}
	return b
}

func sessionOf(b *browser) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if strings.Contains(c.Name, "session") {
			return c.Value
		}
	}
	return ""
}

// TestInvitation is the flow: an administrator invites a person
// through the API into a group; the mail's link lets them choose a
// password, which verifies their address (email_verified in an ID token
// that go-oidc verifies) and signs them in; the link then works no more.
func TestInvitation(t *testing.T) {
	s, mp := withMail(t, testenv.SQLite)
	s.MustCLI(t, "", "group", "add", "members")
	var inv invitation
	apiCall(t, s, "POST", "/api/v1/members/invitations", map[string]any{"email": "ada@example.org", "name": "Ada Lovelace",
		"groups": []string{"members"}}, http.StatusCreated, &inv)
	if !inv.Mailed || inv.URL != "" {
		t.Fatalf("a mailed invitation shows its link: %+v", inv)
	}
	m := mp.WaitFor(t, "ada@example.org", 1, mailDelivery)[0]
	if !strings.HasPrefix(m.Subject, "You are invited to ") || m.To[0].Name != "Ada Lovelace" {
		t.Fatalf("mail %+v", m)
	}
	path := linkIn(t, s, m)
	if !strings.HasPrefix(path, "/account/invite/") {
		t.Fatalf("link %s", path)
	}
	accept(t, s, path)
	if p := newBrowser(t, s).get(path); p.status != http.StatusNotFound || !strings.Contains(p.body, "already been used") {
		t.Fatalf("the used invitation: %d\n%s", p.status, p.body)
	}

	newPartnerApp(t, s, "members").wantVerifiedEmail("ada@example.org")
	var again struct{ Error struct{ Code string } }
	apiCall(t, s, "POST", "/api/v1/members/invitations", map[string]any{"email": "ada@example.org"}, http.StatusConflict, &again)
}

// TestInvitationWithoutMail: with no relay the API and the CLI show the
// link; inviting again replaces it; withdrawing kills it; a typo in a
// group name invites nobody.
func TestInvitationWithoutMail(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	var first, second invitation
	apiCall(t, s, "POST", "/api/v1/members/invitations", map[string]any{"email": "bob@example.org", "name": "Bob"},
		http.StatusCreated, &first)
	if first.Mailed || !strings.HasPrefix(first.URL, s.URL+"/account/invite/") {
		t.Fatalf("invitation %+v", first)
	}
	out := s.MustCLI(t, "", "member", "invite", "bob@example.org", "--json")
	if err := json.Unmarshal([]byte(out), &second); err != nil || second.URL == "" || second.URL == first.URL || second.MemberID != first.MemberID {
		t.Fatalf("re-sent invitation %s, %v", out, err)
	}
	b := newBrowser(t, s)
	if p := b.get(strings.TrimPrefix(first.URL, s.URL)); p.status != http.StatusNotFound {
		t.Fatalf("the replaced invitation: %d", p.status)
	}
	s.MustCLI(t, "", "member", "revoke-invitation", "bob@example.org")
	if p := b.get(strings.TrimPrefix(second.URL, s.URL)); p.status != http.StatusNotFound {
		t.Fatalf("the withdrawn invitation: %d", p.status)
	}
	if _, errOut, code := s.CLI(t, "", "member", "revoke-invitation", "bob@example.org"); code != 2 || !strings.Contains(errOut, "no unused invitation") {
		t.Fatalf("withdrawing twice: %d %s", code, errOut)
	}
	var bad struct{ Error struct{ Code string } }
	apiCall(t, s, "POST", "/api/v1/members/invitations", map[string]any{"email": "cy@example.org", "groups": []string{"nope"}},
		http.StatusNotFound, &bad)
	if _, _, code := s.CLI(t, "", "member", "show", "cy@example.org"); code == 0 {
		t.Fatal("a refused invitation made a member")
	}
	third := accept(t, s, strings.TrimPrefix(invite(t, s, "dee@example.org"), s.URL))
	if p := third.get("/login"); !strings.Contains(p.body, "dee@example.org") {
		t.Fatalf("not signed in after accepting:\n%s", p.body)
	}
}

func invite(t *testing.T, s *testenv.Server, email string) string {
	t.Helper()
	var inv invitation
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "member", "invite", email, "--name", "D", "--json")), &inv); err != nil {
		t.Fatal(err)
	}
	return inv.URL
}

// wantVerifiedEmail signs email in to the app and checks, with go-oidc,
// that the ID token says the address is verified.
func (p partnerApp) wantVerifiedEmail(email string) {
	p.t.Helper()
	tok := p.tokens(email)
	provider, err := oidc.NewProvider(p.ctx, p.s.URL)
	if err != nil {
		p.t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: p.conf.ClientID}).Verify(p.ctx, raw)
	if err != nil {
		p.t.Fatal(err)
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email != email || !claims.EmailVerified {
		p.t.Fatalf("ID token claims %+v, %v", claims, err)
	}
}

type pendingList struct {
	Items []struct {
		MemberID  string    `json:"member_id"`
		Email     string    `json:"email"`
		Name      string    `json:"name"`
		SentAt    time.Time `json:"sent_at"`
		ExpiresAt time.Time `json:"expires_at"`
	} `json:"items"`
	Next string `json:"next"`
}

// pendingEmails pages through GET /api/v1/members/invitations, limit at a
// time, and returns the addresses in the order listed.
func pendingEmails(t *testing.T, s *testenv.Server, limit int) []string {
	t.Helper()
	var emails []string
	after := ""
	for range 10 {
		var p pendingList
		apiCall(t, s, "GET", fmt.Sprintf("/api/v1/members/invitations?limit=%d&after=%s", limit, url.QueryEscape(after)), nil,
			http.StatusOK, &p)
		for _, it := range p.Items {
			if it.MemberID == "" || it.Name != "Name of "+it.Email || it.ExpiresAt.Sub(it.SentAt) != 7*24*time.Hour {
				t.Fatalf("pending invitation %+v", it)
			}
			emails = append(emails, it.Email)
		}
		if after = p.Next; after == "" {
			return emails
		}
	}
	t.Fatal("the list does not end")
	return nil
}

// TestPendingInvitationsAPI: the API lists the pending invitations newest
// first, a page at a time; one withdrawn through the API or accepted
// leaves the list, one re-sent stays once; a cursor the server did not
// issue is refused.
func TestPendingInvitationsAPI(t *testing.T) {
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			s := testenv.Start(t, backend, nil)
			ids := map[string]string{}
			for _, email := range []string{"ann@example.org", "ben@example.org", "cat@example.org"} {
				var inv invitation
				apiCall(t, s, "POST", "/api/v1/members/invitations", map[string]any{"email": email, "name": "Name of " + email},
					http.StatusCreated, &inv)
				ids[email] = inv.MemberID
			}
			if got := pendingEmails(t, s, 2); !slices.Equal(got, []string{"cat@example.org", "ben@example.org", "ann@example.org"}) {
				t.Fatalf("pending %v", got)
			}
			apiCall(t, s, "DELETE", "/api/v1/members/"+ids["ben@example.org"]+"/invitation", nil, http.StatusNoContent, nil)
			var again invitation
			apiCall(t, s, "POST", "/api/v1/members/invitations", map[string]any{"email": "ann@example.org"}, http.StatusCreated, &again)
			if got := pendingEmails(t, s, 1); !slices.Equal(got, []string{"ann@example.org", "cat@example.org"}) {
				t.Fatalf("after withdrawing ben and re-sending ann: %v", got)
			}
			accept(t, s, strings.TrimPrefix(again.URL, s.URL))
			if got := pendingEmails(t, s, 50); !slices.Equal(got, []string{"cat@example.org"}) {
				t.Fatalf("after ann accepted: %v", got)
			}
			var bad struct{ Error struct{ Code string } }
			apiCall(t, s, "GET", "/api/v1/members/invitations?after=forged", nil, http.StatusBadRequest, &bad)
		})
	}
}
