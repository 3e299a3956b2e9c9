package oidc_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/guildgate/guildgate/internal/oidc"
)

// exchangeWithProof redeems code for confidential client c with a proof by
// k (nonce dance first); k nil sends no proof.
func (e *modernEnv) exchangeWithProof(c testClient, code string, k *dpopKey) resp {
	e.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.Redirect}, "code_verifier": {verifier}}
	if k == nil {
		return e.postForm(oidc.PathToken, &c, form, nil)
	}
	nonce := e.nonce(*k, &c, form)
	return e.postForm(oidc.PathToken, &c, form, http.Header{"Dpop": {e.proof(*k, "POST", oidc.PathToken, proofSpec{nonce: nonce})}})
}

func wantRefusedGrant(t *testing.T, r resp, what string) {
	t.Helper()
	if r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_grant" {
		t.Fatalf("%s: %d %s", what, r.status, r.body)
	}
}

func wantBoundTo(t *testing.T, r resp, k dpopKey) {
	t.Helper()
	tok := r.json(t)
	if r.status != http.StatusOK || tok["token_type"] != "DPoP" || cnfOf(t, tok["access_token"].(string)) != k.jkt {
		t.Fatalf("want a token bound to the key: %d %s", r.status, r.body)
	}
}

// TestDPoPJKTBindsTheCode: dpop_jkt at /oauth/authorize (RFC 9449 §10)
// binds the code to that key. The exchange without a proof, or with a
// proof by another key, is refused and spends nothing; the key's holder
// then redeems it. A malformed dpop_jkt is invalid_request.
func TestDPoPJKTBindsTheCode(t *testing.T) {
	e := newModernEnv(t)
	c := e.addModernClient(nil)
	k, other := newDPoPKey(t), newDPoPKey(t)
	params := codeParams(c)
	params.Set("dpop_jkt", k.jkt)
	code := e.wantCode(e.authorize(e.signedIn(), params), c)

	wantRefusedGrant(t, e.exchangeWithProof(c, code, nil), "no proof")
	wantRefusedGrant(t, e.exchangeWithProof(c, code, &other), "another key's proof")
	wantBoundTo(t, e.exchangeWithProof(c, code, &k), k)

	params.Set("dpop_jkt", "not-a-thumbprint")
	e.wantRedirectError(e.authorize(e.signedIn(), params), c, "invalid_request")
}

// TestPARWithDPoP: a DPoP proof sent with the push (RFC 9449 §10.1) binds
// the code to its key; a dpop_jkt beside it must name the same key; a
// proof for another URL is refused.
func TestPARWithDPoP(t *testing.T) {
	e := newModernEnv(t)
	c := e.addModernClient(nil)
	k, other := newDPoPKey(t), newDPoPKey(t)
	pushWith := func(form url.Values, proof string) resp {
		return e.postForm(oidc.PathPAR, &c, form, http.Header{"Dpop": {proof}})
	}

	r := pushWith(codeParams(c), e.proof(k, "POST", oidc.PathPAR, proofSpec{}))
	uri, _ := r.json(t)["request_uri"].(string)
	if r.status != http.StatusCreated || uri == "" {
		t.Fatalf("push with a proof: %d %s", r.status, r.body)
	}
	code := e.wantCode(e.authorize(e.signedIn(), byReference(c, uri)), c)
	wantRefusedGrant(t, e.exchangeWithProof(c, code, &other), "another key's proof")
	wantBoundTo(t, e.exchangeWithProof(c, code, &k), k)

	mismatched := codeParams(c)
	mismatched.Set("dpop_jkt", other.jkt)
	r = pushWith(mismatched, e.proof(k, "POST", oidc.PathPAR, proofSpec{}))
	if r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_request" {
		t.Fatalf("dpop_jkt of another key: %d %s", r.status, r.body)
	}
	r = pushWith(codeParams(c), e.proof(k, "POST", oidc.PathToken, proofSpec{}))
	if r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_dpop_proof" {
		t.Fatalf("a proof for the token endpoint: %d %s", r.status, r.body)
	}

	matching := codeParams(c)
	matching.Set("dpop_jkt", k.jkt)
	r = pushWith(matching, e.proof(k, "POST", oidc.PathPAR, proofSpec{}))
	if r.status != http.StatusCreated {
		t.Fatalf("dpop_jkt of the proof's key: %d %s", r.status, r.body)
	}
}
