package oidc

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/dpop"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/secrets"
)

// DPoP (RFC 9449) at the token and userinfo endpoints. A proof's signature,
// request and age are internal/dpop's; here are the parts that need state:
//
//   - Server nonces (§8), required at the token endpoint, where a proof made
//     in advance by malware would otherwise mint tokens later. A nonce is the
//     moment it was made, sealed with the master key and bound to the tenant,
//     so every replica can check any replica's nonce without sharing a row;
//     it is good for dpop.MaxAge. Each answer carries a fresh one.
//   - Replay (§11.1): a proof's jti is remembered in AuthResumes until the
//     proof is too old to be accepted anyway.

// dpopNonceHeader carries server nonces (RFC 9449 §8.1).
const dpopNonceHeader = "DPoP-Nonce"

func dpopNonceBinding(t model.Tenant) []byte {
	return secrets.AssociatedData("dpop-nonce", t.ID)
}

// newDPoPNonce seals the current moment for tenant t.
func (p *Provider) newDPoPNonce(t model.Tenant) (string, error) {
	return p.Secrets.Encrypt([]byte(strconv.FormatInt(p.Now().Unix(), 10)), dpopNonceBinding(t))
}

// validDPoPNonce reports whether nonce is one of ours for t, young enough.
func (p *Provider) validDPoPNonce(t model.Tenant, nonce string) bool {
	if nonce == "" || len(nonce) > 256 {
		return false
	}
	plain, err := p.Secrets.Decrypt(nonce, dpopNonceBinding(t))
	if err != nil {
		return false
	}
	at, err := strconv.ParseInt(string(plain), 10, 64)
	if err != nil {
		return false
	}
	age := p.Now().Sub(time.Unix(at, 0))
	return age >= -dpop.Skew && age < dpop.MaxAge
}

// setDPoPNonce gives the client a fresh nonce with this answer.
func (p *Provider) setDPoPNonce(w http.ResponseWriter, t model.Tenant) error {
	n, err := p.newDPoPNonce(t)
	if err != nil {
		return oauth.ServerError(fmt.Errorf("make DPoP nonce: %w", err))
	}
	w.Header().Set(dpopNonceHeader, n)
	return nil
}

// dpopCheck is what a proof must satisfy beyond its own form.
type dpopCheck struct {
	accessToken  string // the token it accompanies (ath), if any
	requireNonce bool
	resource     bool // a resource endpoint: errors are 401 with a DPoP challenge
}

// checkDPoP reads and checks the request's DPoP proof. ok is false when
// the request has none.
func (p *Provider) checkDPoP(w http.ResponseWriter, r *http.Request, t model.Tenant, chk dpopCheck) (dpop.Proof, bool, error) {
	values := r.Header.Values("DPoP")
	switch {
	case len(values) == 0:
		return dpop.Proof{}, false, nil
	case len(values) > 1:
		return dpop.Proof{}, true, dpopError(chk, oauth.InvalidDPoPProof("Send one DPoP header."))
	}
	proof, err := dpop.Check(values[0], dpop.Request{Method: r.Method, URL: t.Issuer + r.URL.Path, AccessToken: chk.accessToken}, p.Now())
	if err != nil {
		return dpop.Proof{}, true, dpopError(chk, oauth.InvalidDPoPProof(err.Error()).WithCause(err))
	}
	if err := p.setDPoPNonce(w, t); err != nil {
		return dpop.Proof{}, true, err
	}
	if (chk.requireNonce || proof.Nonce != "") && !p.validDPoPNonce(t, proof.Nonce) {
		return dpop.Proof{}, true, dpopError(chk, oauth.UseDPoPNonce("Use the nonce in the DPoP-Nonce header of this answer."))
	}
	if err := p.spendDPoPProof(r.Context(), t, proof); err != nil {
		return dpop.Proof{}, true, dpopError(chk, oauth.FromError(err))
	}
	return proof, true, nil
}

// spendDPoPProof remembers the proof's jti until it is too old anyway.
func (p *Provider) spendDPoPProof(ctx context.Context, t model.Tenant, proof dpop.Proof) error {
	first, err := p.AuthResumes.Use(ctx, t.ID, "dpop:"+ids.Hash(proof.JKT+"\x00"+proof.JTI),
		proof.IAT.Add(dpop.MaxAge+dpop.Skew))
	switch {
	case err != nil:
		return oauth.ServerError(fmt.Errorf("remember DPoP jti: %w", err))
	case !first:
		return oauth.InvalidDPoPProof("This DPoP proof was used already: make a new one for each request.")
	}
	return nil
}

// dpopError turns e into a resource endpoint's 401 with a DPoP challenge
// (RFC 9449 §7.1) when chk is for one; the token endpoint answers 400 JSON.
func dpopError(chk dpopCheck, e *oauth.Error) *oauth.Error {
	if !chk.resource || e.Code == oauth.CodeServerError {
		return e
	}
	return dpopChallenge(e)
}

func dpopChallenge(e *oauth.Error) *oauth.Error {
	e.Status = http.StatusUnauthorized
	desc := strings.NewReplacer(`"`, "'", `\`, "/").Replace(e.Description)
	e.Challenge = `DPoP realm="` + oauth.Realm + `", error="` + string(e.Code) + `", error_description="` + desc +
		`", algs="` + strings.Join(dpop.Algs, " ") + `"`
	return e
}

// tokenDPoP checks the token request's proof: a nonce is required, and a
// --require-dpop client must send one.
func (p *Provider) tokenDPoP(w http.ResponseWriter, r *http.Request, req tokenRequest) (dpop.Proof, error) {
	proof, ok, err := p.checkDPoP(w, r, req.tenant, dpopCheck{requireNonce: true})
	switch {
	case err != nil:
		return dpop.Proof{}, err
	case !ok && req.client.RequireDPoP:
		return dpop.Proof{}, oauth.InvalidDPoPProof("This client must send a DPoP proof (RFC 9449): its tokens are always bound.")
	}
	return proof, nil
}

// resourceDPoP applies RFC 9449 §7 at a resource endpoint: a bound token
// (jkt set) needs the DPoP scheme and a proof by its key over this request
// and this token; a bearer token may not pretend to be bound. Nonces are
// not required here (a proof's age and jti already bound its use), but
// one sent must be valid.
func (p *Provider) resourceDPoP(w http.ResponseWriter, r *http.Request, t model.Tenant, token, scheme, jkt string) error {
	switch {
	case jkt == "" && scheme == "DPoP":
		return dpopChallenge(oauth.InvalidToken("This access token is not DPoP-bound: send it with the Bearer scheme."))
	case jkt == "":
		return nil
	case scheme != "DPoP":
		return dpopChallenge(oauth.InvalidToken("This access token is DPoP-bound: send it with the DPoP scheme and a proof."))
	}
	proof, ok, err := p.checkDPoP(w, r, t, dpopCheck{accessToken: token, resource: true})
	switch {
	case err != nil:
		return err
	case !ok:
		return dpopChallenge(oauth.InvalidDPoPProof("A DPoP proof is required with this access token."))
	case proof.JKT != jkt:
		return dpopChallenge(oauth.InvalidDPoPProof("The DPoP proof is signed by another key than the one this token is bound to."))
	}
	return nil
}

// refreshBinding checks that a bound refresh token (issueRefresh) comes
// with a proof of its key.
func refreshBinding(value string, proof dpop.Proof) error {
	if !keyHeld(value, proof) {
		return oauth.InvalidGrant("This refresh token is bound to a DPoP key: send a proof made with that key.")
	}
	return nil
}

// codeBinding checks that a code bound to a DPoP key (dpop_jkt, RFC 9449
// §10; newAuthCode) comes with a proof of that key.
func codeBinding(code string, proof dpop.Proof) error {
	if !keyHeld(code, proof) {
		return oauth.InvalidGrant("This authorization code is bound to a DPoP key (dpop_jkt): send a proof made with that key.")
	}
	return nil
}

// keyHeld reports whether a code or refresh token comes with a proof of
// the key it is bound to: a bound one ends in "." and the key's
// thumbprint (neither value's random part holds a "."); an unbound one
// needs no proof.
func keyHeld(value string, proof dpop.Proof) bool {
	i := strings.LastIndexByte(value, '.')
	return i < 0 || proof.JKT != "" && proof.JKT == value[i+1:]
}
