package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// The documented cross-replica bounds (docs/deployment.md) plus a margin for
// a loaded CI machine: a change committed through one replica or the CLI is
// served by every replica within the bound.
const (
	clientBound = clients.DefaultCacheTTL + time.Second
	keyBound    = keys.DefaultCacheTTL + time.Second
)

const (
	replicaA = iota
	replicaB
	replicaC
)

// TestThreeReplicas is the scale-out acceptance test: three replicas on one
// PostgreSQL schema serve one member and one relying party as if they were
// one server. It needs GUILDGATE_TEST_POSTGRES (skipped when unset, failed
// when set and unreachable).
func TestThreeReplicas(t *testing.T) {
	c := startCluster(t)
	c.cli(t, replicaPassword+"\n", "member", "add", "--email", replicaEmail, "--name", "Ada", "--password-stdin")
	rp := c.addClient(t)
	svc := c.addClient(t, "--grant-types", "client_credentials")
	time.Sleep(clientBound) // let every replica learn of the new clients

	t.Run("flow across replicas", func(t *testing.T) { crossReplicaFlow(t, c, rp) })
	t.Run("one code, two replicas", func(t *testing.T) { concurrentRedeem(t, c, rp) })
	t.Run("key rotated on A verifies on C", func(t *testing.T) { keyRotation(t, c, rp) })
	t.Run("secret rotated on A", func(t *testing.T) { secretRotation(t, c, svc) })
	t.Run("logout on B", func(t *testing.T) { logoutEverywhere(t, c, rp) })
	t.Run("lease holder killed", func(t *testing.T) { leaseTakeover(t, c) })
}

// crossReplicaFlow: sign in and authorize on A, exchange the code on B,
// verify the ID token with C's JWKS, userinfo on C, refresh on A.
func crossReplicaFlow(t *testing.T, c *cluster, rp clientCreds) {
	resp := signIn(t, c.browsers[replicaA], c.issuer, replicaEmail, replicaPassword)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in on A: status %d", resp.StatusCode)
	}
	conf := c.oauth(rp)
	code, verifier := c.code(t, replicaA, conf)
	tok, err := conf.Exchange(c.on(replicaB), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("token on B: %v", err)
	}
	idt := c.verifyOn(t, replicaC, rp, tok)

	provider := c.providerOn(t, replicaC)
	info, err := provider.UserInfo(c.on(replicaC), oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != idt.Subject || info.Email != replicaEmail {
		t.Fatalf("userinfo on C: %+v %v", info, err)
	}

	tok.Expiry = time.Now().Add(-time.Minute) // make the token source refresh
	next, err := conf.TokenSource(c.on(replicaA), tok).Token()
	if err != nil || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh on A: %v (rotated: %v)", err, next != nil && next.RefreshToken != tok.RefreshToken)
	}
	if again := c.verifyOn(t, replicaB, rp, next); again.Subject != idt.Subject {
		t.Fatalf("refreshed ID token for %q, want %q", again.Subject, idt.Subject)
	}
}

func (c *cluster) providerOn(t *testing.T, i int) *oidc.Provider {
	t.Helper()
	p, err := oidc.NewProvider(oidc.ClientContext(c.on(i), c.rps[i]), c.issuer)
	if err != nil {
		t.Fatalf("discovery on replica %d: %v", i, err)
	}
	return p
}

// verifyOn verifies the ID token against replica i's JWKS, fetched afresh.
func (c *cluster) verifyOn(t *testing.T, i int, rp clientCreds, tok *oauth2.Token) *oidc.IDToken {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	ctx := oidc.ClientContext(c.on(i), c.rps[i])
	keySet := oidc.NewRemoteKeySet(ctx, c.issuer+"/.well-known/jwks.json")
	idt, err := oidc.NewVerifier(c.issuer, keySet, &oidc.Config{ClientID: rp.ID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("ID token (kid %s) against replica %d's JWKS: %v", kidOf(t, raw), i, err)
	}
	return idt
}

// concurrentRedeem: a code sent to A and B at the same instant is redeemed
// exactly once; the loser gets invalid_grant.
func concurrentRedeem(t *testing.T, c *cluster, rp clientCreds) {
	conf := c.oauth(rp)
	for round := range 5 {
		code, verifier := c.code(t, replicaA, conf)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {replicaRedirect}, "code_verifier": {verifier}}
		var wg sync.WaitGroup
		start := make(chan struct{})
		statuses, errs := make([]int, 2), make([]string, 2)
		for k, node := range []int{replicaA, replicaB} {
			wg.Go(func() { <-start; statuses[k], errs[k] = c.tokenStatus(t, node, rp, form) })
		}
		close(start)
		wg.Wait()
		ok := (statuses[0] == 200) != (statuses[1] == 200)
		if !ok || (statuses[0] != 200 && errs[0] != "invalid_grant") || (statuses[1] != 200 && errs[1] != "invalid_grant") {
			t.Fatalf("round %d: A %d %q, B %d %q; want exactly one 200 and one invalid_grant",
				round, statuses[0], errs[0], statuses[1], errs[1])
		}
	}
}

// keyRotation: `keys rotate` from the shell; once A signs with the new key
// (within its cache bound), an ID token A signed verifies against C's JWKS
// at once, because the new key was published as "next" before it signed.
func keyRotation(t *testing.T, c *cluster, rp clientCreds) {
	var views []struct{ KID, Purpose, Alg, State string }
	if err := json.Unmarshal([]byte(c.cli(t, "", "keys", "rotate", "--json")), &views); err != nil {
		t.Fatal(err)
	}
	newKID := ""
	for _, v := range views {
		if v.Purpose == "jws" && v.Alg == "RS256" && v.State == "current" { // the token key, not the SAML one
			newKID = v.KID
		}
	}
	if newKID == "" {
		t.Fatalf("keys rotate printed no current RS256 key: %+v", views)
	}
	conf := c.oauth(rp)
	deadline := time.Now().Add(keyBound)
	for {
		code, verifier := c.code(t, replicaA, conf)
		tok, err := conf.Exchange(c.on(replicaA), code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		if kidOf(t, raw) == newKID {
			c.verifyOn(t, replicaC, rp, tok)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("A still signs with %s, not the rotated-in %s, %v after rotation", kidOf(t, raw), newKID, keyBound)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// secretRotation: `client rotate-secret --overlap 0` from the shell; B and
// C accept the new secret and refuse the old one within the bound.
func secretRotation(t *testing.T, c *cluster, old clientCreds) {
	cc := url.Values{"grant_type": {"client_credentials"}}
	for _, node := range []int{replicaB, replicaC} { // warm both caches with the old secret
		if status, e := c.tokenStatus(t, node, old, cc); status != 200 {
			t.Fatalf("old secret on replica %d before rotation: %d %s", node, status, e)
		}
	}
	var rotated clientCreds
	if err := json.Unmarshal([]byte(c.cli(t, "", "client", "rotate-secret", old.ID, "--overlap", "0s", "--json")), &rotated); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(clientBound)
	for _, node := range []int{replicaB, replicaC} {
		for {
			newOK, _ := c.tokenStatus(t, node, rotated, cc)
			oldOK, _ := c.tokenStatus(t, node, old, cc)
			if newOK == 200 && oldOK == 401 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %d %v after rotation: new secret %d, old secret %d", node, clientBound, newOK, oldOK)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// logoutEverywhere: sign out on B, then prompt=none on C finds no session.
func logoutEverywhere(t *testing.T, c *cluster, rp clientCreds) {
	_, _, token := page(t, c.browsers[replicaB], c.issuer, "/log-out")
	status, body, _ := readPage(t, post(t, c.browsers[replicaB], c.issuer, "/log-out", url.Values{"csrf_token": {token}}))
	if status != http.StatusOK || !strings.Contains(strings.ToLower(body), "signed out") {
		t.Fatalf("log-out on B: %d\n%s", status, body)
	}
	q := c.authorize(t, replicaC, c.oauth(rp).AuthCodeURL("after-logout", oauth2.SetAuthURLParam("prompt", "none")))
	if q.Get("error") != "login_required" || q.Get("state") != "after-logout" {
		t.Fatalf("prompt=none on C after logout on B: %v", q)
	}
}

// leaseTakeover: stop whichever replica holds the jobs lease; another takes
// it over (the stopping one releases it, so this takes one renewal period).
func leaseTakeover(t *testing.T, c *cluster) {
	st, err := sqlstore.Open(t.Context(), c.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	holder := func() string {
		l, err := st.Leases().Get(t.Context(), "jobs")
		if err != nil || !l.ExpiresAt.After(time.Now()) {
			return ""
		}
		return l.Holder
	}
	first := waitFor(t, "a replica to hold the jobs lease", func() int { return c.holderNode(holder()) })
	old := holder()
	c.nodes[first].Stop()
	next := waitFor(t, "another replica to take the jobs over", func() int {
		if h := holder(); h != old {
			return c.holderNode(h)
		}
		return -1
	})
	if next == first {
		t.Fatalf("the stopped replica %d still holds the lease", first)
	}
	t.Logf("jobs lease passed from replica %d to replica %d", first, next)
}

// waitFor polls find until it names a replica. The bound is a lease's TTL
// plus a renewal period (30 s + 10 s) and a margin: the time a dead
// holder's lease takes to pass on.
func waitFor(t *testing.T, what string, find func() int) int {
	t.Helper()
	for deadline := time.Now().Add(45 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if i := find(); i >= 0 {
			return i
		}
	}
	t.Fatalf("timed out waiting for %s", what)
	return -1
}
