package oidc_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/oidc"
)

// reply is a response with its JSON body decoded (nil when not JSON).
type reply struct {
	Status int
	Header http.Header
	JSON   map[string]any
	Body   string
}

func (r reply) str(name string) string { s, _ := r.JSON[name].(string); return s }

// do sends req and reads the reply.
func (h *harness) do(req *http.Request) reply {
	h.t.Helper()
	resp, err := h.HTTP.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r := reply{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	_ = json.Unmarshal(body, &r.JSON)
	return r
}

// post sends form to path authenticated as c: Basic for a confidential
// client, client_id in the body for a public one.
func (h *harness) post(path string, c testClient, form url.Values) reply {
	h.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if c.Public && form.Get("client_id") == "" {
		form.Set("client_id", c.ID)
	}
	req, _ := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !c.Public && c.ID != "" {
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	}
	return h.do(req)
}

// exchange redeems code for c.
func (h *harness) exchange(c testClient, code string, extra url.Values) reply {
	h.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.Redirect}}
	for k, v := range extra {
		form[k] = v
	}
	return h.post(oidc.PathToken, c, form)
}

// userinfo calls GET /oauth/userinfo with a bearer token.
func (h *harness) userinfo(token string) reply {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.URL+oidc.PathUserinfo, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return h.do(req)
}

// wantError checks an OAuth error reply.
func wantError(t testing.TB, r reply, status int, code string) {
	t.Helper()
	if r.Status != status || r.str("error") != code {
		t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, status, code)
	}
}

// wantOK checks a successful token reply and returns it.
func wantOK(t testing.TB, r reply) reply {
	t.Helper()
	if r.Status != http.StatusOK || r.str("access_token") == "" {
		t.Fatalf("token request failed: %d %s", r.Status, r.Body)
	}
	return r
}
