package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/views"
)

var clientSettings = "[--groups CSV] [--id-token-alg " + strings.Join(model.IDTokenAlgs, "|") + "] [--post-logout-redirect-uris CSV] " +
	"[--backchannel-logout-uri U] [--grant-types CSV] [--public] [--groups-claim] [--omit-authorization-response-iss] " +
	"[--require-par] [--require-dpop] [--jwks-uri U | --jwks-file F] " +
	"[--token-auth " + strings.Join(oauth.TokenAuthMethods, "|") + "] " + tenantFlags

var clientCommands = map[string]command{
	"add": {summary: "register an SSO client for a partner app", run: runClientAdd,
		synopsis: "--name N --redirect-uris CSV " + clientSettings},
	"list":   {summary: "list SSO clients with their secrets", run: listAction((*call).withClients, listClients), synopsis: tenantFlags},
	"show":   {summary: "show one SSO client", run: idAction((*call).withClients, showClient), synopsis: "ID " + tenantFlags},
	"update": {summary: "change some of a client's settings", run: runClientUpdate, synopsis: "ID [--name N] [--redirect-uris CSV] " + clientSettings},
	"delete": {summary: "delete an SSO client", run: idAction((*call).withClients, deleteClient), synopsis: "ID " + tenantFlags},
	"rotate-secret": {summary: "give a client a new secret, the old one working during an overlap", run: runClientRotate,
		synopsis: "ID [--overlap 24h] " + tenantFlags},
}

// clientFlags are the settings add and update share. Each remembers whether
// it was given, so update changes only what the operator named and add
// leaves the service's defaults in place.
type clientFlags struct {
	name, redirects, postLogout, groups, alg, backchannel, grants optString
	public, groupsClaim                                           optBool
	omitIss                                                       optBool
	requirePAR, requireDPoP                                       optBool
	tokenAuth, jwksURI, jwksFile                                  optString
	jwks                                                          string // jwksFile's content, once loaded
	requireMFA                                                    optBool
}

func (cf *clientFlags) register(fs *flag.FlagSet) {
	fs.Var(&cf.name, "name", "the app's name, shown to members")
	fs.Var(&cf.redirects, "redirect-uris", "comma-separated redirect URIs: https://, or http://localhost (127.0.0.1, [::1]) for development")
	fs.Var(&cf.groups, "groups", "comma-separated names of the groups whose members may use the app (empty: every member)")
	fs.Var(&cf.alg, "id-token-alg", "ID-token signing algorithm: "+choices(model.IDTokenAlgs)+
		" ("+model.AlgHS256+" is keyed with the client secret)")
	fs.Var(&cf.postLogout, "post-logout-redirect-uris", "comma-separated URIs the app may send members to after logging out")
	fs.Var(&cf.backchannel, "backchannel-logout-uri", "URL that receives back-channel logout tokens (empty: none)")
	fs.Var(&cf.grants, "grant-types", "comma-separated grant types: "+strings.Join(model.GrantTypes, ", ")+
		" (default: "+strings.Join(clients.DefaultGrantTypes(), ",")+"; list implicit to allow the implicit and hybrid response types)")
	fs.Var(&cf.public, "public", "a public client (a browser or mobile app): no secret, PKCE required")
	fs.Var(&cf.groupsClaim, "groups-claim", "always put the member's groups in tokens, even without the groups scope")
	fs.Var(&cf.omitIss, "omit-authorization-response-iss", "leave iss (RFC 9207) out of authorization responses, "+
		"only for an app that fails on it, such as mod_auth_openidc showing a target_link_uri error instead of access denied")
	fs.Var(&cf.requirePAR, "require-par", "accept only pushed authorization requests (RFC 9126) from this app")
	fs.Var(&cf.requireDPoP, "require-dpop", "issue this app only DPoP-bound tokens (RFC 9449)")
	fs.Var(&cf.tokenAuth, "token-auth", "how the app authenticates at the token endpoint: client_secret_basic (default; "+
		"client_secret_post works too), client_secret_post, or private_key_jwt (then only a signed assertion, RFC 7523)")
	fs.Var(&cf.jwksURI, "jwks-uri", "https URL of the app's public keys (JWK Set), for private_key_jwt and signed request objects (empty: none)")
	fs.Var(&cf.jwksFile, "jwks-file", "file holding the app's public keys as a JWK Set (an empty name removes them)")
	fs.Var(&cf.requireMFA, "require-mfa", "every member signing in to the app must use a second factor (members of an organisation's identity provider excepted)")
}

// loadFiles reads --jwks-file, refusing an unreadable or oversized file
// before anything is stored.
func (cf *clientFlags) loadFiles() error {
	if !cf.jwksFile.set || cf.jwksFile.v == "" {
		return nil
	}
	b, err := readSmallFile("jwks", cf.jwksFile.v)
	cf.jwks = string(b)
	return err
}

func (cf *clientFlags) modern() clients.Modern {
	return clients.Modern{RequirePAR: cf.requirePAR.v, RequireDPoP: cf.requireDPoP.v, TokenAuthMethod: cf.tokenAuth.v,
		JWKSURI: cf.jwksURI.v, JWKS: cf.jwks}
}

// csv splits a comma-separated flag value as given: "" (or only spaces) is
// an empty list, and every other entry goes to the service as typed, which
// trims it and refuses an empty one ("a,", "a,,b"), exactly as it refuses
// the API's ["a", ""]. A URI that holds a comma must spell it %2C here.
func csv(o optString) *[]string {
	if !o.set {
		return nil
	}
	l := []string{}
	if strings.TrimSpace(o.v) != "" {
		l = strings.Split(o.v, ",")
	}
	return &l
}

func (cf *clientFlags) input() clients.Input {
	in := clients.Input{Name: cf.name.v, IDTokenAlg: cf.alg.v, BackchannelLogoutURI: cf.backchannel.v,
		Public: cf.public.v, GroupsClaim: cf.groupsClaim.v, OmitAuthorizationResponseIss: cf.omitIss.v,
		Modern: cf.modern()}
	setGiven(&in.RedirectURIs, csv(cf.redirects))
	setGiven(&in.PostLogoutRedirectURIs, csv(cf.postLogout))
	setGiven(&in.PermittedGroups, csv(cf.groups))
	setGiven(&in.GrantTypes, csv(cf.grants))
	return in
}

func (cf *clientFlags) patch() clients.Patch {
	return clients.Patch{
		Name: cf.name.ptr(), RedirectURIs: csv(cf.redirects), PostLogoutRedirectURIs: csv(cf.postLogout),
		PermittedGroups: csv(cf.groups), IDTokenAlg: cf.alg.ptr(), BackchannelLogoutURI: cf.backchannel.ptr(),
		GrantTypes: csv(cf.grants), Public: cf.public.ptr(), GroupsClaim: cf.groupsClaim.ptr(),
		OmitAuthorizationResponseIss: cf.omitIss.ptr(),
		RequirePAR:                   cf.requirePAR.ptr(), RequireDPoP: cf.requireDPoP.ptr(), TokenAuthMethod: cf.tokenAuth.ptr(),
		JWKSURI: cf.jwksURI.ptr(), JWKS: cf.jwksPtr(),
	}
}

func (cf *clientFlags) jwksPtr() *string {
	if !cf.jwksFile.set {
		return nil
	}
	return &cf.jwks
}

func runClientAdd(ctx context.Context, c *call, args []string) error {
	var cf clientFlags
	// --redirect-uris is left to the service, which knows when it may be
	// empty (a client_credentials-only client) and says so in its own words.
	fs, df, err := c.parseAdd(args, &cf)
	if err != nil {
		return err
	}
	if err := cf.loadFiles(); err != nil {
		return err
	}
	in := cf.input()
	if err := in.Validate(); err != nil { // before the store is touched at all
		return err
	}
	return c.withClients(ctx, fs, df, func(svc *clients.Service, t model.Tenant) error {
		v, err := svc.Create(ctx, actor, t.ID, in)
		if err != nil {
			return err
		}
		if err := c.setRequireMFA(ctx, fs, t, v.ID, cf.requireMFA); err != nil {
			return err
		}
		return c.printClient(df.json, v)
	})
}

func runClientUpdate(ctx context.Context, c *call, args []string) error {
	var cf clientFlags
	fs, df, id, err := c.parseUpdate(args, &cf)
	if err != nil {
		return err
	}
	if err := cf.loadFiles(); err != nil {
		return err
	}
	p := cf.patch()
	if err := p.Validate(); err != nil {
		return err
	}
	return c.withClients(ctx, fs, df, func(svc *clients.Service, t model.Tenant) error {
		v, err := svc.Update(ctx, actor, t.ID, id, p)
		if err != nil {
			return err
		}
		if err := c.setRequireMFA(ctx, fs, t, v.ID, cf.requireMFA); err != nil {
			return err
		}
		return c.printClient(df.json, v)
	})
}

func runClientRotate(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	overlap := fs.Duration("overlap", 24*time.Hour, "how long the previous secret keeps working, up to 720h; 0 revokes it at once (after a leak)")
	pos, err := c.parseArgs(fs, args, "ID")
	if err != nil {
		return err
	}
	return c.withClients(ctx, fs, df, func(svc *clients.Service, t model.Tenant) error {
		v, err := svc.RotateSecret(ctx, actor, t.ID, pos[0], *overlap)
		if err != nil {
			return err
		}
		return c.printClient(df.json, v)
	})
}

func listClients(ctx context.Context, c *call, svc *clients.Service, t model.Tenant, asJSON bool) error {
	vs, err := svc.List(ctx, t.ID)
	if err != nil {
		return err
	}
	cvs := make([]views.Client, len(vs))
	for i, v := range vs {
		cvs[i] = views.ClientOf(v)
	}
	return c.emit(asJSON, cvs, func(w io.Writer) {
		if len(cvs) == 0 {
			fmt.Fprintln(w, "no clients (add one with 'guildgate client add')")
		}
		for i, v := range cvs {
			if i > 0 {
				fmt.Fprintln(w)
			}
			clientText(w, v)
		}
	})
}

func showClient(ctx context.Context, c *call, svc *clients.Service, t model.Tenant, id string, asJSON bool) error {
	v, err := svc.Get(ctx, t.ID, id)
	if err != nil {
		return err
	}
	return c.printClient(asJSON, v)
}

func deleteClient(ctx context.Context, c *call, svc *clients.Service, t model.Tenant, id string, asJSON bool) error {
	v, err := svc.Get(ctx, t.ID, id)
	if err != nil {
		return err
	}
	if err := svc.Delete(ctx, actor, t.ID, v.ID); err != nil {
		return err
	}
	cv := views.ClientOf(v)
	cv.ClientSecret = "" // dead now; no reason to print it once more
	return c.emit(asJSON, cv, func(w io.Writer) { fmt.Fprintf(w, "deleted client %q (%s)\n", v.Name, v.ID) })
}

// withClients resolves --tenant and builds the client service with the
// master key the server uses (GUILDGATE_MASTER_KEY, else master.key beside the database).
func (c *call) withClients(ctx context.Context, fs *flag.FlagSet, df *dataFlags, fn func(*clients.Service, model.Tenant) error) error {
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		svc, err := c.sealing(ctx, d)
		if err != nil {
			return err
		}
		return fn(svc.Clients, t)
	})
}

func (c *call) printClient(asJSON bool, v clients.View) error {
	cv := views.ClientOf(v)
	return c.emit(asJSON, cv, func(w io.Writer) { clientText(w, cv) })
}

func clientText(w io.Writer, v views.Client) {
	secret, groups := v.ClientSecret, strings.Join(v.PermittedGroups, ", ")
	if v.Public {
		secret = "(none: public client, PKCE required)"
	}
	switch {
	case v.AllMembers:
		groups = "(every member)"
	case v.AdmitsNobody:
		groups = "(nobody: every permitted group was deleted; choose groups with --groups) " + groups
	}
	fields(w, "client_id", v.ClientID, "client_secret", secret, "name", v.Name,
		"redirect_uris", strings.Join(v.RedirectURIs, ", "), "post_logout_redirect_uris", strings.Join(v.PostLogoutRedirectURIs, ", "),
		"permitted_groups", groups, "id_token_alg", v.IDTokenAlg, "backchannel_logout_uri", v.BackchannelLogoutURI,
		"grant_types", strings.Join(v.GrantTypes, ", "), "public", v.Public, "groups_claim", v.GroupsClaim)
	if v.OmitAuthorizationResponseIss {
		fields(w, "omit_authorization_response_iss", "true (iss is left out of authorization responses)")
	}
	fields(w, "token_auth_method", v.TokenAuthMethod, "require_par", v.RequirePAR, "require_dpop", v.RequireDPoP)
	switch {
	case v.JWKSURI != "":
		fields(w, "jwks_uri", v.JWKSURI)
	case v.JWKS != nil:
		fields(w, "jwks", string(v.JWKS))
	}
	if !v.SecretRotatingUntil.IsZero() {
		fields(w, "secret_rotating_until", stamp(v.SecretRotatingUntil)+" (the previous secret works until then)")
	}
	fields(w, "created_at", stamp(v.CreatedAt), "updated_at", stamp(v.UpdatedAt))
}
