package views

import (
	"time"

	"github.com/guildgate/guildgate/internal/samlapps"
)

// SAMLApp is a SAML 2.0 app (service provider). Its signing certificate is
// public (the app publishes it in its own metadata), so it is shown whole.
// all_members and admits_nobody mean what they mean for a Client.
type SAMLApp struct {
	ID                 string    `json:"id"`
	Name               string    `json:"name"`
	EntityID           string    `json:"entity_id"`
	ACSURLs            []string  `json:"acs_urls"`
	SLOURL             string    `json:"slo_url"`
	SigningCertificate string    `json:"signing_certificate"`
	NameIDFormat       string    `json:"nameid_format"`
	AllMembers         bool      `json:"all_members"`
	AdmitsNobody       bool      `json:"admits_nobody"`
	PermittedGroups    []string  `json:"permitted_groups"`
	RelayState         string    `json:"relay_state"`
	MetadataURL        string    `json:"metadata_url"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// SAMLAppOf is the view of an app as the samlapps service returns it.
func SAMLAppOf(v samlapps.View) SAMLApp {
	return SAMLApp{
		ID: v.ID, Name: v.Name, EntityID: v.EntityID, ACSURLs: list(v.ACSURLs), SLOURL: v.SLOURL,
		SigningCertificate: v.SigningCert, NameIDFormat: v.NameIDFormat, AllMembers: v.AllMembers, AdmitsNobody: v.AdmitsNobody,
		PermittedGroups: list(v.PermittedGroupNames),
		RelayState:      v.RelayState, MetadataURL: v.MetadataURL, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}
