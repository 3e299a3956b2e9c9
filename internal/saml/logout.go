package saml

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strings"

	cs "github.com/crewjam/saml"

	"github.com/guildgate/guildgate/internal/model"
)

// LogoutRequest is a checked SP-initiated LogoutRequest: signed by a
// registered app with an SLO URL, addressed here, current, and seen for the
// first time (the library remembers its id through Replay).
type LogoutRequest struct {
	App            model.SAMLApp
	ID             string
	NameID         string // the principal, as the app knows them
	NameIDFormat   string
	SessionIndexes []string

	req *cs.IdpLogoutRequest
}

// ParseLogoutRequest reads and checks a LogoutRequest sent with the
// HTTP-Redirect (GET) or HTTP-POST (POST) binding. saml-profiles §4.4.4.1
// requires it to be signed, so an app without a registered signing
// certificate cannot use single logout.
func (p *IdP) ParseLogoutRequest(r *http.Request) (*LogoutRequest, error) {
	if err := checkBinding(r, "SAMLRequest"); err != nil {
		return nil, err
	}
	found := map[string]model.SAMLApp{}
	idp, err := p.provider(r.Context(), found)
	if err != nil {
		return nil, err
	}
	req, err := cs.NewIdpLogoutRequest(idp, r)
	if err != nil {
		return nil, refuse(Malformed, "This logout request is malformed.", err)
	}
	if err := req.Validate(); err != nil {
		return nil, classifyLogout(err, req, found)
	}
	lr := &LogoutRequest{App: found[req.Request.Issuer.Value], ID: req.Request.ID, req: req}
	if n := req.Request.NameID; n != nil {
		lr.NameID, lr.NameIDFormat = n.Value, n.Format
	}
	for _, si := range req.Request.AllSessionIndexes() {
		lr.SessionIndexes = append(lr.SessionIndexes, si.Value)
	}
	return lr, nil
}

func classifyLogout(err error, req *cs.IdpLogoutRequest, found map[string]model.SAMLApp) error {
	if req.Request.Issuer == nil || req.Request.Issuer.Value == "" {
		return refuse(Malformed, "This logout request is malformed: it names no application.", err)
	}
	app, ok := found[req.Request.Issuer.Value]
	switch {
	case errors.As(err, new(*internalError)):
		return classify(err, app)
	case !ok:
		return refuse(UnknownApp, "This logout request comes from an unknown application: no SAML app with its "+
			"entity id is registered here.", err)
	case app.SLOURL == "" || app.SigningCert == "":
		return refuse(NoLogout, quote(app)+" cannot use single logout here: it needs a registered single logout "+
			"URL and signing certificate, since logout requests must be signed.", err)
	case errors.Is(err, errReplayed):
		return classify(err, app)
	}
	return refuse(BadSignature, "This logout request from "+quote(app)+" is not valid: it is unsigned, its "+
		"signature does not verify, or it has expired.", err)
}

// Reply is how a LogoutResponse goes back: a redirect (HTTP-Redirect
// binding, the signature in the query) or a form to post.
type Reply struct {
	Redirect string
	Form     *Form
}

// LogoutResponse signs the answer to lr, Success when the session ended
// and Responder otherwise, for the binding the request came with.
func (p *IdP) LogoutResponse(lr *LogoutRequest, ended bool) (Reply, error) {
	status := cs.StatusSuccess
	if !ended {
		status = cs.StatusResponder
	}
	resp := lr.req.MakeLogoutResponse(status)
	lr.req.IDP.ResponseFormTemplate = responseOnly
	var c capture
	if err := lr.req.WriteLogoutResponse(&c, resp); err != nil {
		return Reply{}, fmt.Errorf("saml: sign logout response: %w", err)
	}
	if loc := c.header.Get("Location"); loc != "" {
		return Reply{Redirect: loc}, nil
	}
	return Reply{Form: &Form{URL: resp.Destination, SAMLResponse: strings.TrimSpace(html.UnescapeString(c.body.String())),
		RelayState: lr.req.RelayState}}, nil
}

// responseOnly makes the library write just the signed message, which the
// caller posts with the site's own form page (its CSP allows no inline
// script but the one whose hash it names).
var responseOnly = template.Must(template.New("saml-response").Parse(`{{.SAMLResponse}}`))

// capture is an http.ResponseWriter that keeps what the library writes.
type capture struct {
	header http.Header
	body   bytes.Buffer
}

func (c *capture) Header() http.Header {
	if c.header == nil {
		c.header = http.Header{}
	}
	return c.header
}

func (c *capture) Write(b []byte) (int, error) { return c.body.Write(b) }
func (c *capture) WriteHeader(int)             {}
