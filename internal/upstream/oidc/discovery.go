package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/upstream"
)

const (
	wellKnown = "/.well-known/openid-configuration"
	// entraTemplate is Microsoft's multi-tenant issuer form; {tenantid} is
	// the tid claim of each token.
	entraTemplate     = "https://login.microsoftonline.com/{tenantid}/v2.0"
	tenantPlaceholder = "{tenantid}"
)

// metadata is the part of a discovery document Guildgate uses, after the
// connection's manual endpoints are applied over it.
type metadata struct {
	Issuer        string   `json:"issuer"`
	AuthURL       string   `json:"authorization_endpoint"`
	TokenURL      string   `json:"token_endpoint"`
	JWKSURL       string   `json:"jwks_uri"`
	UserinfoURL   string   `json:"userinfo_endpoint"`
	EndSessionURL string   `json:"end_session_endpoint"`
	Algorithms    []string `json:"id_token_signing_alg_values_supported"`
	PKCEMethods   []string `json:"code_challenge_methods_supported"`
	AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
}

// DiscoveryDocumentURL accepts what administrators paste: the document's
// own URL or the issuer it belongs to.
func DiscoveryDocumentURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if strings.HasSuffix(raw, wellKnown) {
		return raw
	}
	return strings.TrimSuffix(raw, "/") + wellKnown
}

// resolve returns the connection's endpoints: discovered when a discovery
// URL is set, with any manual endpoint taking precedence, else manual.
func resolve(ctx context.Context, out *outbound.Client, c model.Connection) (metadata, error) {
	var md metadata
	if c.DiscoveryURL != "" {
		if err := fetchJSON(ctx, out.For(outbound.Discovery), DiscoveryDocumentURL(c.DiscoveryURL), &md); err != nil {
			return md, upstream.Errorf(upstream.Misconfigured, "discovery: %w", err)
		}
		if err := checkDiscoveredIssuer(c, md.Issuer); err != nil {
			return md, upstream.Errorf(upstream.Misconfigured, "%w", &failure{summary: wrongIssuer, err: err})
		}
	}
	for _, f := range []struct {
		dst *string
		v   string
	}{
		{&md.Issuer, c.Issuer}, {&md.AuthURL, c.AuthorizationURL}, {&md.TokenURL, c.TokenURL},
		{&md.JWKSURL, c.JWKSURL}, {&md.UserinfoURL, c.UserinfoURL},
	} {
		if f.v != "" {
			*f.dst = f.v
		}
	}
	return md, nil
}

// checkDiscoveredIssuer applies OpenID Connect Discovery §4.3: the document
// must name the issuer it was fetched for, or tokens could be accepted from
// a provider other than the one configured. In Entra multi-tenant mode the
// document names a template instead, checked per token.
func checkDiscoveredIssuer(c model.Connection, got string) error {
	if c.IssuerMode == model.IssuerEntraMultiTenant {
		return nil
	}
	want := c.Issuer
	if want == "" {
		want = strings.TrimSuffix(DiscoveryDocumentURL(c.DiscoveryURL), wellKnown)
	}
	if strings.TrimSuffix(got, "/") != strings.TrimSuffix(want, "/") {
		return fmt.Errorf("wrong issuer: the discovery document names %q, expected %q", got, want)
	}
	return nil
}

// fetchJSON GETs u and decodes its JSON body (bounded by hc's purpose) into v.
func fetchJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	if err := upstream.CheckEndpoint(u); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s is unreachable: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return fmt.Errorf("%s: reading the answer: %w", u, err)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%s answered %s", u, resp.Status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s did not answer JSON: %w", u, err)
	}
	return nil
}
