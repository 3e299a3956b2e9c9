package console

import (
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
)

// connForm is the add/edit form of a connection as entered. The client
// secret is write-only: never shown, and left blank to keep the stored one.
type connForm struct {
	base
	ID                                                                           string // empty when adding
	Name, DiscoveryURL, Issuer, AuthorizationURL, TokenURL, JWKSURL, UserinfoURL string
	ClientID, Scopes, Domains, GroupsClaim, GroupMap, JITStatus, IssuerMode      string
	EntraTenants, AuthMethod                                                     string
	JIT, TrustEmail, FetchUserinfo, ShowButton, HasSecret                        bool
	Errors                                                                       map[string][]string
	Statuses                                                                     []model.MemberStatus
	IssuerModes, AuthMethods                                                     []string
	secret                                                                       string
}

func (h *Handler) connForm(r *http.Request, c *call, f connForm, title string) connForm {
	f.base, f.Statuses = pageBase(r, c, "connections", title), model.MemberStatuses
	f.IssuerModes, f.AuthMethods = model.IssuerModes, model.AuthMethods
	return f
}

func connFormOf(c model.Connection, groupNames map[string]string) connForm {
	var gm []string
	for _, m := range c.GroupMap {
		if name, ok := groupNames[m.GroupID]; ok {
			gm = append(gm, m.Upstream+"="+name)
		}
	}
	return connForm{ID: c.ID, Name: c.Name, DiscoveryURL: c.DiscoveryURL, Issuer: c.Issuer, AuthorizationURL: c.AuthorizationURL,
		TokenURL: c.TokenURL, JWKSURL: c.JWKSURL, UserinfoURL: c.UserinfoURL, ClientID: c.ClientID,
		Scopes: strings.Join(c.Scopes, " "), Domains: strings.Join(c.Domains, ", "), GroupsClaim: c.Claims.Groups,
		GroupMap: strings.Join(gm, "\n"), JITStatus: string(c.JITStatus), IssuerMode: c.IssuerMode,
		EntraTenants: connections.FormatEntraTenants(c.EntraTenants, "\n"), AuthMethod: c.AuthMethod, JIT: c.JIT,
		TrustEmail: c.TrustEmail, FetchUserinfo: c.FetchUserinfo, ShowButton: c.ShowButton, HasSecret: c.ClientSecret != ""}
}

func readConnForm(r *http.Request) connForm {
	p := r.PostForm
	return connForm{Name: p.Get("name"), DiscoveryURL: p.Get("discovery_url"), Issuer: p.Get("issuer"),
		AuthorizationURL: p.Get("authorization_url"), TokenURL: p.Get("token_url"), JWKSURL: p.Get("jwks_url"),
		UserinfoURL: p.Get("userinfo_url"), ClientID: p.Get("client_id"), Scopes: p.Get("scopes"), Domains: p.Get("domains"),
		GroupsClaim: p.Get("groups_claim"), GroupMap: p.Get("group_map"), JITStatus: p.Get("jit_status"),
		IssuerMode: p.Get("issuer_mode"), EntraTenants: p.Get("entra_tenants"), AuthMethod: p.Get("auth_method"),
		JIT: p.Get("jit") == "on", TrustEmail: p.Get("trust_email") == "on", FetchUserinfo: p.Get("fetch_userinfo") == "on",
		ShowButton: p.Get("show_button") == "on", secret: strings.TrimSpace(p.Get("client_secret"))}
}

// words splits a list typed with spaces, commas or one per line; nil when
// empty, so empty scopes mean the defaults.
func words(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// groupMaps reads "upstream=local" entries, one per line or comma-separated;
// a malformed entry is kept with an empty side so the service reports it.
func groupMaps(s string) []connections.GroupMap {
	out := []connections.GroupMap{}
	for _, e := range splitList(s) {
		if strings.TrimSpace(e) != "" {
			up, local, _ := strings.Cut(e, "=")
			out = append(out, connections.GroupMap{Upstream: up, Group: local})
		}
	}
	return out
}

func (f connForm) input() connections.Input {
	return connections.Input{ConnectionSettings: model.ConnectionSettings{Name: f.Name, DiscoveryURL: f.DiscoveryURL,
		Issuer: f.Issuer, AuthorizationURL: f.AuthorizationURL, TokenURL: f.TokenURL, JWKSURL: f.JWKSURL,
		UserinfoURL: f.UserinfoURL, ClientID: f.ClientID, Scopes: words(f.Scopes), Domains: words(f.Domains),
		Claims: model.ClaimMapping{Groups: f.GroupsClaim}, JIT: f.JIT, JITStatus: model.MemberStatus(f.JITStatus),
		TrustEmail: f.TrustEmail, IssuerMode: f.IssuerMode, EntraTenants: connections.ParseEntraTenants(f.EntraTenants),
		AuthMethod: f.AuthMethod, FetchUserinfo: f.FetchUserinfo, ShowButton: f.ShowButton}, ClientSecret: f.secret,
		GroupMap: groupMaps(f.GroupMap)}
}

// patch changes what the form shows; the secret only when one was typed,
// and the claim mapping's other fields (set with the CLI or API) stay.
func (f connForm) patch() connections.Patch {
	in := f.input()
	p := connections.Patch{Name: &in.Name, DiscoveryURL: &in.DiscoveryURL, Issuer: &in.Issuer,
		AuthorizationURL: &in.AuthorizationURL, TokenURL: &in.TokenURL, JWKSURL: &in.JWKSURL, UserinfoURL: &in.UserinfoURL,
		ClientID: &in.ClientID, Scopes: &in.Scopes, Domains: &in.Domains, EntraTenants: &in.EntraTenants,
		GroupsClaim: &in.Claims.Groups, GroupMap: &in.GroupMap, JIT: &in.JIT, TrustEmail: &in.TrustEmail,
		FetchUserinfo: &in.FetchUserinfo, ShowButton: &in.ShowButton, JITStatus: &in.JITStatus,
		IssuerMode: &in.IssuerMode, AuthMethod: &in.AuthMethod}
	if in.ClientSecret != "" {
		p.ClientSecret = &in.ClientSecret
	}
	return p
}

func (h *Handler) newConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	f := h.connForm(r, c, connForm{Scopes: strings.Join(connections.DefaultScopes, " "), JITStatus: string(model.StatusCurrent),
		IssuerMode: model.IssuerExact, AuthMethod: model.AuthClientSecretBasic}, "Add connection")
	return h.views.render(w, http.StatusOK, "connection_form", f)
}

func (h *Handler) createConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	f := readConnForm(r)
	_, err := h.Connections.Create(r.Context(), c.actor(), c.tenant.ID, f.input())
	if errs, bad := fieldErrors(err); bad {
		return h.refuseConnForm(w, r, c, f, errs, "Add connection")
	} else if err != nil {
		return err
	}
	return seeOther(w, "/admin/connections", "connection-created")
}

func (h *Handler) editConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	conn, err := h.Connections.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	names, err := h.Connections.GroupNames(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "connection_form", h.connForm(r, c, connFormOf(conn, names), "Edit connection"))
}

func (h *Handler) updateConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	f := readConnForm(r)
	f.ID = r.PathValue("id")
	_, err := h.Connections.Update(r.Context(), c.actor(), c.tenant.ID, f.ID, f.patch())
	if errs, bad := fieldErrors(err); bad {
		if old, gerr := h.Connections.Get(r.Context(), c.tenant.ID, f.ID); gerr == nil {
			f.HasSecret = old.ClientSecret != ""
		}
		return h.refuseConnForm(w, r, c, f, errs, "Edit connection")
	} else if err != nil {
		return err
	}
	return seeOther(w, "/admin/connections", "connection-updated")
}

func (h *Handler) refuseConnForm(w http.ResponseWriter, r *http.Request, c *call, f connForm, errs map[string][]string, title string) error {
	f = h.connForm(r, c, f, title)
	f.Errors = errs
	return h.views.render(w, http.StatusBadRequest, "connection_form", f)
}
