package saml

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	cs "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/guildgate/guildgate/internal/model"
)

// Paths of the endpoints, relative to the tenant's issuer (PRODUCT.md).
const (
	PathMetadata = "/saml/metadata"
	PathSSO      = "/saml/sso"
	PathSLO      = "/saml/slo"
	PathLaunch   = "/saml/launch/"
)

// Validity is how long an assertion may be used (PRODUCT.md: 5 minutes).
const Validity = 5 * time.Minute

// Keys are what the tenant signs with and publishes (internal/keys).
type Keys struct {
	Signer      crypto.Signer
	Certificate *x509.Certificate
	Others      []*x509.Certificate // next and retired, published beside it
}

// Apps finds the app an entity id names; model.ErrNotFound when none.
type Apps interface {
	ByEntityID(ctx context.Context, entityID string) (model.SAMLApp, error)
}

// Replay remembers accepted message ids (store.AuthResumes.Use for the
// request's tenant): first is false when key was remembered before.
type Replay interface {
	Remember(ctx context.Context, key string, until time.Time) (first bool, err error)
}

// IdP is one tenant's identity provider. Build one per request; it holds
// no state of its own.
type IdP struct {
	Issuer string // the tenant's issuer URL
	Keys   Keys
	Apps   Apps
	Replay Replay
	Now    func() time.Time
}

func (p *IdP) url(path string) string { return strings.TrimSuffix(p.Issuer, "/") + path }

// EntityID is the IdP's entity id: its metadata URL (PRODUCT.md).
func (p *IdP) EntityID() string { return p.url(PathMetadata) }

// now is truncated to the second: SAML instants carry no more, and what is
// signed and compared must agree.
func (p *IdP) now() time.Time { return p.Now().UTC().Truncate(time.Second) }

// provider is the library's IdentityProvider for one request, bound to
// ctx for its look-ups. found records the apps it looked up, by entity id.
func (p *IdP) provider(ctx context.Context, found map[string]model.SAMLApp) (*cs.IdentityProvider, error) {
	if p.Keys.Signer == nil || p.Keys.Certificate == nil {
		return nil, errors.New("saml: no signing key")
	}
	metadata, sso, slo, err := p.endpoints()
	if err != nil {
		return nil, err
	}
	return &cs.IdentityProvider{
		Signer: p.Keys.Signer, Certificate: p.Keys.Certificate, ExtraCertificates: p.Keys.Others,
		MetadataURL: *metadata, SSOURL: *sso, LogoutURL: *slo,
		Logger:                  log.New(io.Discard, "", 0), // the caller logs the error it returns
		Clock:                   dsig.NewFakeClockAt(p.now()),
		ServiceProviderProvider: lookup{ctx: ctx, apps: p.Apps, found: found},
		ReplayCache:             replayCache{ctx: ctx, replay: p.Replay},
		NameIDFormats:           []cs.NameIDFormat{cs.EmailAddressNameIDFormat, cs.PersistentNameIDFormat, cs.TransientNameIDFormat},
		LogoutBindings:          []string{cs.HTTPRedirectBinding, cs.HTTPPostBinding},
		RejectSHA1Signatures:    true,
	}, nil
}

func (p *IdP) endpoints() (metadata, sso, slo *url.URL, err error) {
	urls := make([]*url.URL, 3)
	for i, path := range []string{PathMetadata, PathSSO, PathSLO} {
		if urls[i], err = url.Parse(p.url(path)); err != nil {
			return nil, nil, nil, fmt.Errorf("saml: issuer %q: %w", p.Issuer, err)
		}
	}
	return urls[0], urls[1], urls[2], nil
}

// lookup is the library's ServiceProviderProvider over Apps.
type lookup struct {
	ctx   context.Context
	apps  Apps
	found map[string]model.SAMLApp
}

func (l lookup) GetServiceProvider(_ *http.Request, entityID string) (*cs.EntityDescriptor, error) {
	a, err := l.apps.ByEntityID(l.ctx, entityID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, os.ErrNotExist
	}
	if err != nil {
		return nil, &internalError{err}
	}
	ed, err := Descriptor(a)
	if err != nil {
		return nil, &internalError{err}
	}
	l.found[entityID] = a
	return ed, nil
}

// replayCache is the library's replay cache (for LogoutRequests) over Replay.
type replayCache struct {
	ctx    context.Context
	replay Replay
}

var errReplayed = errors.New("message id already accepted")

func (c replayCache) Consume(key string, until time.Time) error {
	first, err := c.replay.Remember(c.ctx, key, until)
	if err != nil {
		return &internalError{err}
	}
	if !first {
		return fmt.Errorf("%w: %w", errReplayed, cs.ErrAssertionReplayed)
	}
	return nil
}

// internalError marks a failure of ours (storage, a stored app that cannot
// be described) inside the library's error chain, so it is answered as a
// server error, not blamed on the request.
type internalError struct{ error }

func (e *internalError) Unwrap() error { return e.error }
