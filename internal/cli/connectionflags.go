package cli

import (
	"flag"
	"strings"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
)

// connectionFlags are the settings add and update share; each remembers
// whether it was given, so update changes only what the operator named.
type connectionFlags struct {
	name, discovery, issuer, authURL, tokenURL, jwksURL, userinfoURL, clientID optString
	scopes, domains, groupMap, tenantIDs, fallback, jitStatus, issuerMode      optString
	authMethod, emailClaim, nameClaim, givenClaim, familyClaim, groupsClaim    optString
	jit, trustEmail, fetchUserinfo, showButton                                 optBool
	secretStdin                                                                bool
}

func (cf *connectionFlags) register(fs *flag.FlagSet) {
	fs.Var(&cf.name, "name", `display name, shown as "Sign in with <name>"`)
	fs.Var(&cf.discovery, "discovery-url", "the provider's discovery URL (…/.well-known/openid-configuration) or its issuer")
	fs.Var(&cf.issuer, "issuer", "issuer URL, when entering endpoints by hand")
	fs.Var(&cf.authURL, "authorization-url", "authorization endpoint, when entering endpoints by hand")
	fs.Var(&cf.tokenURL, "token-url", "token endpoint, when entering endpoints by hand")
	fs.Var(&cf.jwksURL, "jwks-url", "JWKS URL, when entering endpoints by hand")
	fs.Var(&cf.userinfoURL, "userinfo-url", "userinfo endpoint (optional)")
	fs.Var(&cf.clientID, "client-id", "the client id the provider issued for Guildgate")
	fs.BoolVar(&cf.secretStdin, "client-secret-stdin", false, "read the client secret from the first line of stdin")
	fs.Var(&cf.domains, "domains", "comma-separated email domains this provider serves (each belongs to one connection)")
	fs.Var(&cf.scopes, "scopes", `scopes to request, space- or comma-separated (default "openid email profile")`)
	fs.Var(&cf.groupsClaim, "groups-claim", "the upstream claim holding the member's groups (empty: groups are not read)")
	fs.Var(&cf.groupMap, "group-map", "comma-separated upstream=local group mappings, e.g. Engineering=Staff")
	fs.Var(&cf.jit, "jit", "create the member at their first sign-in (just in time)")
	fs.Var(&cf.jitStatus, "jit-status", "member status given to members created just in time (default current)")
	fs.Var(&cf.trustEmail, "trust-email", "take the provider's email as verified (off: Entra ID and Okta often misstate it)")
	fs.Var(&cf.issuerMode, "issuer-mode", "issuer check: "+choices(model.IssuerModes))
	fs.Var(&cf.tenantIDs, "entra-tenants", "entra-multitenant mode: the Entra tenants accepted, each bound to the domains it may assert: "+
		"TENANT-ID=domain|domain,TENANT-ID=domain (a single tenant given alone is bound to every domain of the connection)")
	fs.Var(&cf.tenantIDs, "allowed-tenant-ids", "old name of --entra-tenants, kept for scripts")
	fs.Var(&cf.authMethod, "auth-method", "how Guildgate authenticates at the token endpoint: "+choices(model.AuthMethods))
	fs.Var(&cf.fetchUserinfo, "fetch-userinfo", "always read userinfo (Okta often sends groups only there)")
	fs.Var(&cf.showButton, "show-button", `show a "Sign in with …" button on the login page`)
	fs.Var(&cf.emailClaim, "email-claim", "claim holding the email (default email)")
	fs.Var(&cf.nameClaim, "name-claim", "claim holding the full name (default name)")
	fs.Var(&cf.givenClaim, "given-name-claim", "claim holding the given name (default given_name)")
	fs.Var(&cf.familyClaim, "family-name-claim", "claim holding the family name (default family_name)")
	fs.Var(&cf.fallback, "email-fallback-claims", "comma-separated claims to read the email from when it is missing: preferred_username, upn")
}

// scopeList splits on commas, then on spaces within each entry: "openid
// email" and "openid,email" alike. An empty comma-separated entry
// ("openid,,email") goes to the service, which refuses it as it refuses
// csv's.
func scopeList(o optString) *[]string {
	l := csv(o)
	if l == nil {
		return nil
	}
	out := []string{}
	for _, e := range *l {
		if f := strings.Fields(e); len(f) > 0 {
			out = append(out, f...)
		} else {
			out = append(out, e)
		}
	}
	return &out
}

// groupMaps parses "upstream=local,…"; a malformed or empty entry is kept
// with an empty side so the service reports it.
func groupMaps(o optString) *[]connections.GroupMap {
	l := csv(o)
	if l == nil {
		return nil
	}
	out := []connections.GroupMap{}
	for _, e := range *l {
		up, local, _ := strings.Cut(e, "=")
		out = append(out, connections.GroupMap{Upstream: up, Group: local})
	}
	return &out
}

func entraTenants(o optString) *[]model.EntraTenant {
	if !o.set {
		return nil
	}
	ts := connections.ParseEntraTenants(o.v)
	return &ts
}

func (cf *connectionFlags) input(secret string) connections.Input {
	in := connections.Input{ConnectionSettings: model.ConnectionSettings{Name: cf.name.v, DiscoveryURL: cf.discovery.v,
		Issuer: cf.issuer.v, AuthorizationURL: cf.authURL.v, TokenURL: cf.tokenURL.v, JWKSURL: cf.jwksURL.v,
		UserinfoURL: cf.userinfoURL.v, ClientID: cf.clientID.v, JIT: cf.jit.v,
		JITStatus: model.MemberStatus(cf.jitStatus.v), TrustEmail: cf.trustEmail.v, IssuerMode: cf.issuerMode.v,
		AuthMethod: cf.authMethod.v, FetchUserinfo: cf.fetchUserinfo.v, ShowButton: cf.showButton.v,
		Claims: model.ClaimMapping{Email: cf.emailClaim.v, Name: cf.nameClaim.v, GivenName: cf.givenClaim.v,
			FamilyName: cf.familyClaim.v, Groups: cf.groupsClaim.v}}, ClientSecret: secret}
	setGiven(&in.Scopes, scopeList(cf.scopes))
	setGiven(&in.Domains, csv(cf.domains))
	setGiven(&in.EmailFallbackClaims, csv(cf.fallback))
	setGiven(&in.GroupMap, groupMaps(cf.groupMap))
	setGiven(&in.EntraTenants, entraTenants(cf.tenantIDs))
	return in
}

func (cf *connectionFlags) patch(secret string) connections.Patch {
	p := connections.Patch{Name: cf.name.ptr(), DiscoveryURL: cf.discovery.ptr(), Issuer: cf.issuer.ptr(),
		AuthorizationURL: cf.authURL.ptr(), TokenURL: cf.tokenURL.ptr(), JWKSURL: cf.jwksURL.ptr(),
		UserinfoURL: cf.userinfoURL.ptr(), ClientID: cf.clientID.ptr(), Scopes: scopeList(cf.scopes),
		Domains: csv(cf.domains), EntraTenants: entraTenants(cf.tenantIDs), EmailFallbackClaims: csv(cf.fallback),
		EmailClaim: cf.emailClaim.ptr(), NameClaim: cf.nameClaim.ptr(), GivenNameClaim: cf.givenClaim.ptr(),
		FamilyNameClaim: cf.familyClaim.ptr(), GroupsClaim: cf.groupsClaim.ptr(), GroupMap: groupMaps(cf.groupMap),
		JIT: cf.jit.ptr(), TrustEmail: cf.trustEmail.ptr(), FetchUserinfo: cf.fetchUserinfo.ptr(),
		ShowButton: cf.showButton.ptr(), IssuerMode: cf.issuerMode.ptr(), AuthMethod: cf.authMethod.ptr()}
	if cf.jitStatus.set {
		s := model.MemberStatus(cf.jitStatus.v)
		p.JITStatus = &s
	}
	if secret != "" {
		p.ClientSecret = &secret
	}
	return p
}
