package api

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/samlapps"
	"github.com/guildgate/guildgate/internal/views"
)

func (h *Handler) samlAppRoutes() []route {
	return []route{
		{method: "GET", path: "saml-apps", summary: "List SAML apps", resp: samlAppList{}, handle: h.listSAMLApps},
		{method: "POST", path: "saml-apps", summary: "Register a SAML app from its metadata (metadata_url or metadata) " +
			"or by entity_id and acs_urls", body: samlAppInput{}, resp: views.SAMLApp{}, status: http.StatusCreated,
			handle: h.createSAMLApp},
		{method: "GET", path: "saml-apps/{id}", summary: "Get a SAML app", resp: views.SAMLApp{}, handle: h.getSAMLApp},
		{method: "PATCH", path: "saml-apps/{id}", summary: "Change some of a SAML app's settings, or read its metadata again",
			body: samlAppPatch{}, resp: views.SAMLApp{}, handle: h.updateSAMLApp},
		{method: "DELETE", path: "saml-apps/{id}", summary: "Delete a SAML app", status: http.StatusNoContent, handle: h.deleteSAMLApp},
	}
}

type samlAppList struct {
	Items []views.SAMLApp `json:"items"`
}

// samlAppInput: metadata is the XML document itself; permitted groups are
// named.
type samlAppInput struct {
	Name               string   `json:"name"`
	MetadataURL        string   `json:"metadata_url,omitempty"`
	Metadata           string   `json:"metadata,omitempty"`
	EntityID           string   `json:"entity_id,omitempty"`
	ACSURLs            []string `json:"acs_urls,omitempty"`
	SLOURL             string   `json:"slo_url,omitempty"`
	SigningCertificate string   `json:"signing_certificate,omitempty"`
	NameIDFormat       string   `json:"nameid_format,omitempty"`
	PermittedGroups    []string `json:"permitted_groups,omitempty"`
	RelayState         string   `json:"relay_state,omitempty"`
}

func (in samlAppInput) samlapps() samlapps.Input {
	return samlapps.Input{Name: in.Name, MetadataURL: in.MetadataURL, Metadata: []byte(in.Metadata), EntityID: in.EntityID,
		ACSURLs: in.ACSURLs, SLOURL: in.SLOURL, SigningCert: in.SigningCertificate, NameIDFormat: in.NameIDFormat,
		PermittedGroups: in.PermittedGroups, RelayState: in.RelayState}
}

// samlAppPatch: an empty string or list clears an optional field (for
// permitted_groups: every member may use the app).
type samlAppPatch struct {
	Name               *string   `json:"name,omitempty"`
	MetadataURL        *string   `json:"metadata_url,omitempty"`
	Metadata           *string   `json:"metadata,omitempty"`
	EntityID           *string   `json:"entity_id,omitempty"`
	ACSURLs            *[]string `json:"acs_urls,omitempty"`
	SLOURL             *string   `json:"slo_url,omitempty"`
	SigningCertificate *string   `json:"signing_certificate,omitempty"`
	NameIDFormat       *string   `json:"nameid_format,omitempty"`
	PermittedGroups    *[]string `json:"permitted_groups,omitempty"`
	RelayState         *string   `json:"relay_state,omitempty"`
}

func (p samlAppPatch) samlapps() samlapps.Patch {
	out := samlapps.Patch{Name: p.Name, MetadataURL: p.MetadataURL, EntityID: p.EntityID, ACSURLs: p.ACSURLs, SLOURL: p.SLOURL,
		SigningCert: p.SigningCertificate, NameIDFormat: p.NameIDFormat, PermittedGroups: p.PermittedGroups, RelayState: p.RelayState}
	if p.Metadata != nil {
		doc := []byte(*p.Metadata)
		out.Metadata = &doc
	}
	return out
}

func (h *Handler) listSAMLApps(w http.ResponseWriter, r *http.Request, c *call) error {
	vs, err := h.SAMLApps.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	out := samlAppList{Items: make([]views.SAMLApp, len(vs))}
	for i, v := range vs {
		out.Items[i] = views.SAMLAppOf(v)
	}
	return ok(w, out)
}

func (h *Handler) createSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	var in samlAppInput
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := h.SAMLApps.Create(r.Context(), c.actor(), c.tenant.ID, in.samlapps())
	if err != nil {
		return err
	}
	return created(w, views.SAMLAppOf(v))
}

func (h *Handler) getSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	v, err := h.SAMLApps.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, views.SAMLAppOf(v))
}

func (h *Handler) updateSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	var p samlAppPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	v, err := h.SAMLApps.Update(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), p.samlapps())
	if err != nil {
		return err
	}
	return ok(w, views.SAMLAppOf(v))
}

func (h *Handler) deleteSAMLApp(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.SAMLApps.Delete(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}
