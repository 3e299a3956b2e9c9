package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

type clientsPage struct {
	base
	Clients []clients.View
}

func (h *Handler) listClients(w http.ResponseWriter, r *http.Request, c *call) error {
	vs, err := h.Clients.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "clients", clientsPage{base: pageBase(r, c, "clients", "SSO clients"), Clients: vs})
}

// clientForm is the add/edit form as entered, so a refused form comes back
// with what the administrator typed and a message next to each bad field.
type clientForm struct {
	base
	ID                                              string // empty when adding
	Name, RedirectURIs, PostLogoutURIs, Backchannel string
	access
	Alg                 string
	Grants              []string
	Public, GroupsClaim bool
	OmitIss             bool // omit_authorization_response_iss
	Modern              clients.Modern
	TokenAuthMethods    []string
	Errors              map[string][]string
	Algs, GrantTypes    []string
}

var (
	algs       = model.IDTokenAlgs
	grantTypes = model.GrantTypes
)

func (h *Handler) clientForm(r *http.Request, c *call, f clientForm, title string) (clientForm, error) {
	gs, err := h.Dir.ListGroups(r.Context(), c.tenant.ID)
	f.base, f.Algs, f.GrantTypes = pageBase(r, c, "clients", title), algs, grantTypes
	f.TokenAuthMethods = oauth.TokenAuthMethods
	f.offer(gs)
	return f, err
}

func (h *Handler) newClient(w http.ResponseWriter, r *http.Request, c *call) error {
	// No access is chosen for the administrator: "only members of the
	// permitted groups" with none selected is refused until they pick groups
	// or "Every member".
	f, err := h.clientForm(r, c, clientForm{Alg: model.AlgRS256, Grants: clients.DefaultGrantTypes()}, "Add client")
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "client_form", f)
}

// readClientForm reads the posted form. Lists are comma-separated as the
// product describes; who may sign in is an explicit choice (readAccess).
func readClientForm(r *http.Request) clientForm {
	f := r.PostForm
	return clientForm{Name: f.Get("name"), RedirectURIs: f.Get("redirect_uris"), PostLogoutURIs: f.Get("post_logout_redirect_uris"),
		Backchannel: f.Get("backchannel_logout_uri"), access: readAccess(f), Alg: f.Get("id_token_alg"), Grants: f["grant_types"],
		Public: f.Get("public") == "on", GroupsClaim: f.Get("groups_claim") == "on",
		OmitIss: f.Get("omit_authorization_response_iss") == "on",
		Modern: clients.Modern{RequirePAR: f.Get("require_par") == "on", RequireDPoP: f.Get("require_dpop") == "on",
			TokenAuthMethod: f.Get("token_auth_method"), JWKSURI: f.Get("jwks_uri"), JWKS: f.Get("jwks")}}
}

func (f clientForm) input() clients.Input {
	grants := f.Grants
	if grants == nil {
		grants = []string{} // none ticked is a choice the service reports, not "the default"
	}
	return clients.Input{Name: f.Name, RedirectURIs: splitList(f.RedirectURIs), PostLogoutRedirectURIs: splitList(f.PostLogoutURIs),
		PermittedGroups: f.Groups, AllMembers: &f.AllMembers, IDTokenAlg: f.Alg, BackchannelLogoutURI: f.Backchannel,
		GrantTypes: grants, Public: f.Public, GroupsClaim: f.GroupsClaim, OmitAuthorizationResponseIss: f.OmitIss,
		Modern: f.formModern()}
}

// formModern is the form's modern settings as the service takes them: the
// selected method is kept only for a confidential client (a public one has
// none, and the select cannot be left empty).
func (f clientForm) formModern() clients.Modern {
	m := f.Modern
	if f.Public {
		m.TokenAuthMethod = ""
	}
	return m
}

func (f clientForm) patch() clients.Patch {
	in := f.input()
	return clients.Patch{Name: &in.Name, RedirectURIs: &in.RedirectURIs, PostLogoutRedirectURIs: &in.PostLogoutRedirectURIs,
		PermittedGroups: f.groupsPatch(), AllMembers: in.AllMembers, IDTokenAlg: &in.IDTokenAlg,
		BackchannelLogoutURI: &in.BackchannelLogoutURI, GrantTypes: &in.GrantTypes, Public: &in.Public, GroupsClaim: &in.GroupsClaim,
		OmitAuthorizationResponseIss: &in.OmitAuthorizationResponseIss,
		RequirePAR:                   &in.Modern.RequirePAR, RequireDPoP: &in.Modern.RequireDPoP, TokenAuthMethod: &in.Modern.TokenAuthMethod,
		JWKSURI: &in.Modern.JWKSURI, JWKS: &in.Modern.JWKS}
}

// createClient is "Save & Close": the client id and secret are generated
// and the list, where they can be copied, is shown.
func (h *Handler) createClient(w http.ResponseWriter, r *http.Request, c *call) error {
	f := readClientForm(r)
	_, err := h.Clients.Create(r.Context(), c.actor(), c.tenant.ID, f.input())
	if errs, bad := fieldErrors(err); bad {
		return h.refuseClientForm(w, r, c, f, errs, "Add client")
	} else if err != nil {
		return err
	}
	return seeOther(w, "/admin/clients", "client-created")
}

func (h *Handler) refuseClientForm(w http.ResponseWriter, r *http.Request, c *call, f clientForm, errs map[string][]string, title string) error {
	f, err := h.clientForm(r, c, f, title)
	if err != nil {
		return err
	}
	f.Errors = errs
	return h.views.render(w, http.StatusBadRequest, "client_form", f)
}

func (h *Handler) editClient(w http.ResponseWriter, r *http.Request, c *call) error {
	v, err := h.Clients.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	f, err := h.clientForm(r, c, clientForm{ID: v.ID, Name: v.Name, RedirectURIs: strings.Join(v.RedirectURIs, ", "),
		PostLogoutURIs: strings.Join(v.PostLogoutRedirectURIs, ", "), Backchannel: v.BackchannelLogoutURI,
		access: access{Groups: v.PermittedGroupNames, AllMembers: v.OpenToAllMembers(), AdmitsNobody: v.AdmitsNobody},
		Alg:    v.IDTokenAlg, Grants: v.GrantTypes, Public: v.Public, GroupsClaim: v.GroupsClaim,
		OmitIss: v.OmitAuthorizationResponseIss, Modern: clients.Modern{RequirePAR: v.RequirePAR, RequireDPoP: v.RequireDPoP,
			TokenAuthMethod: v.TokenAuthMethod, JWKSURI: v.JWKSURI, JWKS: v.JWKS}}, "Edit client")
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "client_form", f)
}

func (h *Handler) updateClient(w http.ResponseWriter, r *http.Request, c *call) error {
	f := readClientForm(r)
	f.ID = r.PathValue("id")
	_, err := h.Clients.Update(r.Context(), c.actor(), c.tenant.ID, f.ID, f.patch())
	if errs, bad := fieldErrors(err); bad {
		return h.refuseClientForm(w, r, c, f, errs, "Edit client")
	} else if err != nil {
		return err
	}
	return seeOther(w, "/admin/clients", "client-updated")
}

// overlaps are the rotation choices the console offers; 0 answers a leak.
var overlaps = map[string]time.Duration{"0": 0, "1h": time.Hour, "24h": 24 * time.Hour, "168h": 7 * 24 * time.Hour}

func (h *Handler) rotateSecret(w http.ResponseWriter, r *http.Request, c *call) error {
	overlap, ok := overlaps[r.PostForm.Get("overlap")]
	if !ok {
		overlap = 24 * time.Hour
	}
	if _, err := h.Clients.RotateSecret(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), overlap); err != nil {
		return asPageError(err)
	}
	return seeOther(w, "/admin/clients", "secret-rotated")
}

func (h *Handler) confirmDeleteClient(w http.ResponseWriter, r *http.Request, c *call) error {
	v, err := h.Clients.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return asPageError(err)
	}
	return h.confirm(w, r, c, "clients", confirmation{
		Title:   "Delete client " + v.Name + "?",
		Message: "The partner's app stops signing members in at once, and every token issued to it stops working. This cannot be undone.",
		Action:  "/admin/clients/" + v.ID + "/delete", Button: "Delete client", Back: "/admin/clients",
	})
}

func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.Clients.Delete(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return asPageError(err)
	}
	return seeOther(w, "/admin/clients", "client-deleted")
}
