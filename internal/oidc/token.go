package oidc

import (
	"mime"
	"net/http"
	"net/url"
	"sort"

	"github.com/guildgate/guildgate/internal/dpop"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// mountToken registers the token endpoint (RFC 6749 §3.2). It is called by
// relying parties' servers (and by public clients running in browsers), so
// it carries no browser CSRF protection: every request authenticates the
// client instead, and no cookie is ever read here.
func (p *Provider) mountToken(mux *http.ServeMux) {
	p.mountClientPOST(mux, PathToken, p.token)
}

// tokenRequest is one client-authenticated request (token, revocation or
// introspection): the client, how it proved itself, and the single-valued
// body parameters.
type tokenRequest struct {
	tenant model.Tenant
	client model.Client
	method string // oauth.AuthMethod*
	form   url.Values
	dpop   dpop.Proof // the request's DPoP proof; JKT empty when there is none
}

// tokenResponse is RFC 6749 §5.1 plus OpenID Connect Core §3.1.3.3.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

func (is issued) response() tokenResponse {
	typ := "Bearer"
	if is.Bound {
		typ = "DPoP"
	}
	return tokenResponse{AccessToken: is.AccessToken, TokenType: typ, ExpiresIn: is.ExpiresIn,
		RefreshToken: is.Refresh, IDToken: is.IDToken, Scope: is.Scope}
}

// token parses and authenticates the request, then hands it to its grant.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) error {
	req, err := p.clientRequest(r, true)
	if err != nil {
		return err
	}
	gt, err := oauth.ParseGrantType(req.form.Get("grant_type"))
	if err != nil {
		return err
	}
	if !req.client.AllowsGrant(string(gt)) {
		return oauth.UnauthorizedClient("This client is not allowed the " + string(gt) + " grant.")
	}
	if req.dpop, err = p.tokenDPoP(w, r, req); err != nil {
		return err
	}
	var is issued
	switch gt {
	case oauth.GrantAuthorizationCode:
		is, err = p.exchangeCode(r, req)
	case oauth.GrantRefreshToken:
		is, err = p.refresh(r, req)
	case oauth.GrantClientCredentials:
		is, err = p.clientCredentials(r, req)
	case oauth.GrantDeviceCode:
		is, err = p.exchangeDeviceCode(r, req)
	}
	if err != nil {
		return err
	}
	res := is.response()
	_ = oauth.WriteTokenBody(w, res.appendJSON(make([]byte, 0, res.jsonSize()))) // a failed write has nobody to tell
	return nil
}

// param is the body parameter name, which the request must carry (RFC 6749
// §3.1: an empty parameter is an omitted one).
func (req tokenRequest) param(name string) (string, error) {
	v := req.form.Get(name)
	if v == "" {
		return "", oauth.InvalidRequest(name + " is required.")
	}
	return v, nil
}

// clientRequest reads a form-encoded request body (RFC 6749 §3.2, RFC 7009
// §2.1, RFC 7662 §2.1 allow no other encoding), authenticates the client
// and refuses repeated parameters. allowPublic admits public clients, which
// name themselves without proof; at the token endpoint what they may do is
// then decided per grant.
func (p *Provider) clientRequest(r *http.Request, allowPublic bool) (tokenRequest, error) {
	t, ok := tenancy.FromContext(r.Context())
	if !ok {
		return tokenRequest{}, oauth.ServerError(errNoTenant)
	}
	if err := requireForm(r); err != nil {
		return tokenRequest{}, err
	}
	if err := formText(r); err != nil {
		return tokenRequest{}, err
	}
	c, method, err := p.authenticateClient(r, t, allowPublic)
	if err != nil {
		return tokenRequest{}, err
	}
	if err := singleValued(r.PostForm); err != nil {
		return tokenRequest{}, err
	}
	return tokenRequest{tenant: t, client: c, method: method, form: r.PostForm}, nil
}

// requireForm refuses a body that is not application/x-www-form-urlencoded:
// a JSON or multipart body would otherwise parse as an empty form and fail
// later with a misleading "grant_type is required".
func requireForm(r *http.Request) error {
	if !isFormType(r.Header.Get("Content-Type")) {
		return oauth.InvalidRequest("The request body must be application/x-www-form-urlencoded.")
	}
	return nil
}

// formText refuses a request whose query or body holds a parameter that
// is not text (oauth.CheckText), before the client is looked up or any
// grant is touched: such a request consumes nothing, so a code sent in it
// still redeems once.
func formText(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return oauth.InvalidRequest("The request body is not a valid form.") // no cause: it may quote a secret
	}
	return oauth.CheckText(r.Form)
}

// singleValued refuses any parameter sent twice (RFC 6749 §3.2: "MUST NOT
// be included more than once"), not just the ones we read, so no two layers
// can ever read two different requests from one body.
func singleValued(form url.Values) error {
	repeated := false
	for _, v := range form {
		repeated = repeated || len(v) > 1
	}
	if !repeated { // the names are sorted only for a refusal's message
		return nil
	}
	names := make([]string, 0, len(form))
	for name := range form {
		names = append(names, name)
	}
	sort.Strings(names) // a stable message for the same request
	return oauth.SingleValues(form, names...)
}

// isFormType says whether a Content-Type is application/x-www-form-urlencoded,
// with parameters or not. The exact type, which clients send, is taken
// without parsing: mime.ParseMediaType builds a map of parameters on every
// call.
func isFormType(ct string) bool {
	const form = "application/x-www-form-urlencoded"
	if ct == form {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == form
}
