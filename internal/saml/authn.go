package saml

import (
	"context"
	"errors"
	"net/http"
	"time"

	cs "github.com/crewjam/saml"

	"github.com/guildgate/guildgate/internal/model"
)

// AuthnRequest is a checked request: a registered app, one of its
// registered ACS URLs, a valid signature where one is required, within its
// time bounds. It holds what the Response needs and nothing the request
// could change later.
type AuthnRequest struct {
	App          model.SAMLApp
	ID           string // answered as InResponseTo
	IssueInstant time.Time
	ACSURL       string
	RelayState   string
	ForceAuthn   bool
	IsPassive    bool
}

// ReplayKey is the id under which the request is remembered once accepted,
// and until when: the request is refused as expired after that anyway.
func (a AuthnRequest) ReplayKey() (string, time.Time) {
	return "AuthnRequest:" + a.App.EntityID + " " + a.ID, a.IssueInstant.Add(cs.MaxIssueDelay + cs.MaxClockSkew)
}

// ParseAuthnRequest reads and checks an AuthnRequest sent with the
// HTTP-Redirect (GET) or HTTP-POST (POST) binding. It stores nothing; the
// caller remembers ReplayKey once it accepts the request. A refusal is an
// *Error; any other error is a failure of ours.
func (p *IdP) ParseAuthnRequest(r *http.Request) (AuthnRequest, error) {
	if err := checkBinding(r, "SAMLRequest"); err != nil {
		return AuthnRequest{}, err
	}
	found := map[string]model.SAMLApp{}
	idp, err := p.provider(r.Context(), found)
	if err != nil {
		return AuthnRequest{}, err
	}
	req, err := cs.NewIdpAuthnRequest(idp, r)
	if err != nil {
		return AuthnRequest{}, classify(err, model.SAMLApp{})
	}
	if err := req.Validate(); err != nil {
		app := model.SAMLApp{}
		if req.Request.Issuer != nil {
			app = found[req.Request.Issuer.Value]
		}
		return AuthnRequest{}, classify(err, app)
	}
	return authnRequest(req, found[req.ServiceProviderMetadata.EntityID]), nil
}

func authnRequest(req *cs.IdpAuthnRequest, app model.SAMLApp) AuthnRequest {
	a := AuthnRequest{App: app, ID: req.Request.ID, IssueInstant: req.Request.IssueInstant,
		ACSURL: req.ACSEndpoint.Location, RelayState: req.RelayState}
	a.ForceAuthn = req.Request.ForceAuthn != nil && *req.Request.ForceAuthn
	a.IsPassive = req.Request.IsPassive != nil && *req.Request.IsPassive
	return a
}

// checkBinding bounds the message before the library reads it and refuses
// directives in it: a GET is the Redirect binding, a POST the POST binding.
func checkBinding(r *http.Request, param string) error {
	switch r.Method {
	case http.MethodGet:
		return checkRedirect(r.URL.RawQuery, param)
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return refuse(TooLarge, "This SAML request is too large.", err)
			}
			return refuse(Malformed, "This SAML request is malformed: its form cannot be read.", err)
		}
		if len(r.PostForm[param]) > 1 {
			return refuse(Malformed, "This SAML request is malformed: it repeats "+param+".", nil)
		}
		return checkPost(r.PostForm.Get(param), param)
	}
	return refuse(Malformed, "SAML requests come by GET or POST.", nil)
}

// IdPInitiated is the unsolicited sign-in to app (saml-profiles §4.1.5):
// to its default ACS URL, with its configured RelayState, answering no
// request.
func (p *IdP) IdPInitiated(app model.SAMLApp) (AuthnRequest, error) {
	if len(app.ACSURLs) == 0 {
		return AuthnRequest{}, refuse(UnknownACS, quote(app)+" has no assertion consumer service URL registered.", nil)
	}
	return AuthnRequest{App: app, IssueInstant: p.now(), ACSURL: app.ACSURLs[0], RelayState: app.RelayState}, nil
}

// classify turns the library's refusal into the page's words; a failure of
// ours (storage) stays an ordinary error.
func classify(err error, app model.SAMLApp) error {
	if ie, ok := errors.AsType[*internalError](err); ok {
		return ie.error
	}
	switch {
	case errors.Is(err, cs.ErrUnknownServiceProvider):
		return refuse(UnknownApp, "This sign-in request comes from an unknown application: no SAML app with "+
			"its entity id is registered here.", err)
	case errors.Is(err, cs.ErrUnknownAssertionConsumerService):
		return refuse(UnknownACS, "This sign-in request from "+quote(app)+" asks to return to an assertion consumer "+
			"service URL that is not registered for it. An administrator must add the exact URL to the app.", err)
	case errors.Is(err, errReplayed):
		return refuse(Replayed, "This SAML request was already used. Go back to the application and start again.", err)
	case errors.Is(err, cs.ErrInvalidSignature):
		return refuse(BadSignature, "This SAML request from "+quote(app)+" is not signed, or its signature is not "+
			"valid; the app's registered signing certificate requires a valid signature.", err)
	case errors.Is(err, cs.ErrExpired), errors.Is(err, cs.ErrNotYetValid):
		return refuse(Expired, "This SAML request has expired or is not valid yet. Go back to the application "+
			"and start again.", err)
	}
	return refuse(Malformed, "This SAML request is not valid.", err)
}

func quote(a model.SAMLApp) string {
	if a.Name == "" {
		return "the application"
	}
	return `"` + a.Name + `"`
}

// remember records an accepted message id; a second use is Replayed.
func (p *IdP) remember(ctx context.Context, key string, until time.Time) error {
	first, err := p.Replay.Remember(ctx, key, until)
	if err != nil {
		return err
	}
	if !first {
		return refuse(Replayed, "This SAML request was already used. Go back to the application and start again.", nil)
	}
	return nil
}

// Accept remembers the request's id, refusing it when it was accepted
// before (on any replica). Call it once the request is to be answered.
func (p *IdP) Accept(ctx context.Context, a AuthnRequest) error {
	if a.ID == "" {
		return nil // IdP-initiated: no request to replay
	}
	key, until := a.ReplayKey()
	return p.remember(ctx, key, until)
}
