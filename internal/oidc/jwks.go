package oidc

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/tenancy"
)

// discovery serves the tenant's OpenID Provider Metadata.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) error {
	t, ok := tenancy.FromContext(r.Context())
	if !ok {
		return errNoTenant
	}
	writePrepared(w, r, p.docs.get(t.Issuer))
	return nil
}

// jwks serves the public keys (next, current and recently retired). A short
// max-age lets relying parties pick up a rotation within minutes, and the
// next key is published a whole rotation period before it signs.
func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) error {
	t, ok := tenancy.FromContext(r.Context())
	if !ok {
		return errNoTenant
	}
	body, etag, err := p.Keys.JWKS(r.Context(), t.ID)
	if err != nil {
		return err
	}
	writePrepared(w, r, prepared{body: body, etag: etag, headers: p.docs.jwksHeaders(etag, len(body))})
	return nil
}
