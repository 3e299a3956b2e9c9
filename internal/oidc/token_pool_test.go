package oidc_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/oidc"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestCodeExchangesOutnumberingThePool: many more code exchanges and
// refreshes at once than PostgreSQL's pool has connections (2 here) all
// complete, because a request's transaction reads and writes through its own
// connection only and never asks the pool for a second while holding one
// (which, with every connection held by such a request, would wait
// forever). On SQLite the same load queues for the write lock and nothing
// fails. Every redemption is audited exactly once, in its transaction.
func TestCodeExchangesOutnumberingThePool(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dsn := ""
			if backend == "postgres" {
				dsn = storetest.PostgresDSN(t) + "&pool_max_conns=2"
			}
			h := newHarnessOn(t, dsn)
			c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
			const flows = 24
			codes := make([]string, flows)
			for i := range codes {
				codes[i], _ = h.newCode(c, m, codeSpec{Scopes: []string{"openid", "profile", "offline_access"}})
			}
			var wg sync.WaitGroup
			errs := make(chan error, flows)
			for _, code := range codes {
				wg.Go(func() {
					errs <- exchangeThenRefresh(h, c, code)
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if t.Failed() {
				return
			}
			page, err := h.Store.Audit().List(t.Context(), h.Tenant.ID, store.AuditQuery{Action: "oauth.token", Limit: store.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, e := range page.Items {
				count[e.Detail["grant_type"]]++
			}
			if count["authorization_code"] != flows || count["refresh_token"] != flows || len(page.Items) != 2*flows {
				t.Errorf("audit rows by grant type: %v, want %d exchanges and %d refreshes", count, flows, flows)
			}
		})
	}
}

// exchangeThenRefresh redeems code, then the refresh token it yields; it
// reports instead of failing the test, so goroutines may call it.
func exchangeThenRefresh(h *harness, c testClient, code string) error {
	tok, err := tokenCall(h, c, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.Redirect}})
	if err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	if _, err := tokenCall(h, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"]}}); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	return nil
}

func tokenCall(h *harness, c testClient, form url.Values) (map[string]string, error) {
	req, _ := http.NewRequest(http.MethodPost, h.URL+oidc.PathToken, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	resp, err := h.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var fields map[string]any
	_ = json.Unmarshal(body, &fields)
	tok := map[string]string{}
	for k, v := range fields {
		if s, ok := v.(string); ok {
			tok[k] = s
		}
	}
	if resp.StatusCode != http.StatusOK || tok["access_token"] == "" || tok["refresh_token"] == "" {
		return nil, fmt.Errorf("%d %s", resp.StatusCode, body)
	}
	return tok, nil
}
