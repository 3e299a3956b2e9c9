package console

import (
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/samlapps"
)

// The SAML app pages sit beside the SSO clients under Settings, with the
// same shape: a list that shows what to give the app's owner, an add/edit
// form that comes back with a message next to each bad field, a
// confirmation before delete.

type samlAppsPage struct {
	base
	Apps        []samlapps.View
	IdPMetadata string // what the app's owner configures their SP with
	LaunchBase  string // + app id: the IdP-initiated sign-in link
}

func (h *Handler) samlAppRoutes() []route {
	return []route{
		{"GET /admin/saml-apps", h.listSAMLApps},
		{"GET /admin/saml-apps/new", h.newSAMLApp},
		{"POST /admin/saml-apps", h.createSAMLApp},
		{"GET /admin/saml-apps/{id}", h.editSAMLApp},
		{"POST /admin/saml-apps/{id}", h.updateSAMLApp},
		{"GET /admin/saml-apps/{id}/delete", h.confirmDeleteSAMLApp},
		{"POST /admin/saml-apps/{id}/delete", h.deleteSAMLApp},
	}
}

func (h *Handler) listSAMLApps(w http.ResponseWriter, r *http.Request, c *call) error {
	vs, err := h.SAMLApps.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	issuer := strings.TrimSuffix(c.tenant.Issuer, "/")
	return h.views.render(w, http.StatusOK, "saml_apps", samlAppsPage{base: pageBase(r, c, "saml-apps", "SAML apps"), Apps: vs,
		IdPMetadata: issuer + saml.PathMetadata, LaunchBase: issuer + saml.PathLaunch})
}

// samlAppForm is the add/edit form as entered.
type samlAppForm struct {
	base
	ID                                             string // empty when adding
	Name, MetadataURL, Metadata, EntityID, ACSURLs string
	SLOURL, SigningCert, NameIDFormat, RelayState  string
	access
	Formats []string
	Errors  map[string][]string
}

func (h *Handler) samlAppForm(r *http.Request, c *call, f samlAppForm, title string) (samlAppForm, error) {
	gs, err := h.Dir.ListGroups(r.Context(), c.tenant.ID)
	f.base = pageBase(r, c, "saml-apps", title)
	f.Formats = []string{model.NameIDEmail, model.NameIDPersistent, model.NameIDTransient}
	f.offer(gs)
	return f, err
}

func readSAMLAppForm(r *http.Request) samlAppForm {
	f := r.PostForm
	return samlAppForm{Name: f.Get("name"), MetadataURL: f.Get("metadata_url"), Metadata: f.Get("metadata"),
		EntityID: f.Get("entity_id"), ACSURLs: f.Get("acs_urls"), SLOURL: f.Get("slo_url"), SigningCert: f.Get("signing_cert"),
		NameIDFormat: f.Get("nameid_format"), RelayState: f.Get("relay_state"), access: readAccess(f)}
}

func (f samlAppForm) input() samlapps.Input {
	return samlapps.Input{Name: f.Name, MetadataURL: f.MetadataURL, Metadata: []byte(f.Metadata), EntityID: f.EntityID,
		ACSURLs: splitList(f.ACSURLs), SLOURL: f.SLOURL, SigningCert: f.SigningCert, NameIDFormat: f.NameIDFormat,
		PermittedGroups: f.Groups, AllMembers: &f.AllMembers, RelayState: f.RelayState}
}

// patch sets every field of the form; metadata given again is read again
// first, and the explicit fields below it win as they are shown.
func (f samlAppForm) patch() samlapps.Patch {
	in := f.input()
	p := samlapps.Patch{Name: &in.Name, EntityID: &in.EntityID, ACSURLs: &in.ACSURLs, SLOURL: &in.SLOURL,
		SigningCert: &in.SigningCert, NameIDFormat: &in.NameIDFormat, PermittedGroups: f.groupsPatch(), AllMembers: in.AllMembers,
		RelayState: &in.RelayState}
	switch {
	case strings.TrimSpace(f.Metadata) != "":
		p.Metadata = &in.Metadata
		p.EntityID, p.ACSURLs, p.SLOURL, p.SigningCert = nil, nil, nil, nil
	case strings.TrimSpace(f.MetadataURL) != "":
		p.MetadataURL = &in.MetadataURL
		p.EntityID, p.ACSURLs, p.SLOURL, p.SigningCert = nil, nil, nil, nil
	}
	return p
}

// newSAMLApp chooses no access for the administrator, as for clients: "only
// members of the permitted groups" with none selected is refused until they
// pick groups or "Every member".
func (h *Handler) newSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	f, err := h.samlAppForm(r, c, samlAppForm{NameIDFormat: model.NameIDEmail}, "Add SAML app")
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "saml_app_form", f)
}

func (h *Handler) createSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	f := readSAMLAppForm(r)
	_, err := h.SAMLApps.Create(r.Context(), c.actor(), c.tenant.ID, f.input())
	if errs, bad := fieldErrors(err); bad {
		return h.refuseSAMLAppForm(w, r, c, f, errs, "Add SAML app")
	} else if err != nil {
		return err
	}
	return seeOther(w, "/admin/saml-apps", "samlapp-created")
}

func (h *Handler) refuseSAMLAppForm(w http.ResponseWriter, r *http.Request, c *call, f samlAppForm, errs map[string][]string, title string) error {
	f, err := h.samlAppForm(r, c, f, title)
	if err != nil {
		return err
	}
	f.Errors = errs
	return h.views.render(w, http.StatusBadRequest, "saml_app_form", f)
}

func (h *Handler) editSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	v, err := h.SAMLApps.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return asPageError(err)
	}
	f, err := h.samlAppForm(r, c, samlAppForm{ID: v.ID, Name: v.Name, EntityID: v.EntityID, ACSURLs: strings.Join(v.ACSURLs, ", "),
		SLOURL: v.SLOURL, SigningCert: v.SigningCert, NameIDFormat: v.NameIDFormat, RelayState: v.RelayState,
		access: access{Groups: v.PermittedGroupNames, AllMembers: v.AllMembers, AdmitsNobody: v.AdmitsNobody}}, "Edit SAML app")
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "saml_app_form", f)
}

func (h *Handler) updateSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	f := readSAMLAppForm(r)
	f.ID = r.PathValue("id")
	_, err := h.SAMLApps.Update(r.Context(), c.actor(), c.tenant.ID, f.ID, f.patch())
	if errs, bad := fieldErrors(err); bad {
		return h.refuseSAMLAppForm(w, r, c, f, errs, "Edit SAML app")
	} else if err != nil {
		return asPageError(err)
	}
	return seeOther(w, "/admin/saml-apps", "samlapp-updated")
}

func (h *Handler) confirmDeleteSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	v, err := h.SAMLApps.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return asPageError(err)
	}
	return h.confirm(w, r, c, "saml-apps", confirmation{
		Title:   "Delete SAML app " + v.Name + "?",
		Message: "The app stops signing members in at once. This cannot be undone.",
		Action:  "/admin/saml-apps/" + v.ID + "/delete", Button: "Delete SAML app", Back: "/admin/saml-apps",
	})
}

func (h *Handler) deleteSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.SAMLApps.Delete(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return asPageError(err)
	}
	return seeOther(w, "/admin/saml-apps", "samlapp-deleted")
}
