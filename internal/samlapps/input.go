package samlapps

import (
	"context"
	"strings"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/saml"
)

// Input is a new app as an administrator describes it: from its metadata
// (MetadataURL or Metadata, a file's contents) or by hand (EntityID and
// ACSURLs, optionally SLOURL and SigningCert). Explicit fields given with
// metadata override what the metadata says. PermittedGroups are names.
type Input struct {
	Name            string
	MetadataURL     string
	Metadata        []byte
	EntityID        string
	ACSURLs         []string
	SLOURL          string
	SigningCert     string // PEM
	NameIDFormat    string // "" means email
	PermittedGroups []string
	// AllMembers, when set, is the administrator's explicit choice (the
	// console's); nil lets PermittedGroups decide, as the API and CLI spell
	// it: no groups means every member. An app restricted to groups must
	// name at least one. The rules are internal/clients'.
	AllMembers *bool
	RelayState string
}

// Patch changes the fields that are non-nil; MetadataURL or Metadata
// re-reads the app's metadata, and fields given beside them win. A non-nil
// pointer to an empty value clears an optional field.
//
// Who may use the app changes only when PermittedGroups or AllMembers is
// set, exactly as for SSO clients: PermittedGroups alone (the API's and
// CLI's spelling) restricts to those groups, or opens the app when empty;
// AllMembers is the console's explicit choice, and false with no groups
// keeps the app restricted to nobody.
type Patch struct {
	Name            *string
	MetadataURL     *string
	Metadata        *[]byte
	EntityID        *string
	ACSURLs         *[]string
	SLOURL          *string
	SigningCert     *string
	NameIDFormat    *string
	PermittedGroups *[]string
	AllMembers      *bool
	RelayState      *string
}

// settings are an app's fields minus its permitted groups.
type settings struct {
	Name, EntityID      string
	ACSURLs             []string
	SLOURL, SigningCert string
	NameIDFormat        string
	RelayState          string
	MetadataURL         string
}

// settings reads in, fetching or parsing its metadata first.
func (s *Service) settings(ctx context.Context, in Input) (settings, problem.List, error) {
	var ps problem.List
	if in.MetadataURL != "" && len(in.Metadata) > 0 {
		ps.Add("metadata_url", "give either a metadata URL or a metadata file, not both")
		return settings{}, ps, nil
	}
	st := settings{NameIDFormat: model.NameIDEmail}
	if err := s.fromMetadata(ctx, &st, inputs.Trim(in.MetadataURL), in.Metadata, &ps); err != nil {
		return settings{}, nil, err
	}
	st.Name = inputs.Trim(in.Name)
	overlay(&st.EntityID, inputs.Trim(in.EntityID))
	if l := inputs.CleanList(in.ACSURLs); len(l) > 0 {
		st.ACSURLs = l
	}
	overlay(&st.SLOURL, inputs.Trim(in.SLOURL))
	overlay(&st.SigningCert, canonicalCert(in.SigningCert))
	overlay(&st.NameIDFormat, normalFormat(in.NameIDFormat))
	st.RelayState = in.RelayState
	if len(ps) == 0 {
		ps = st.validate()
	}
	inputs.CheckList(&ps, "acs_urls", in.ACSURLs)
	inputs.CheckList(&ps, "permitted_groups", in.PermittedGroups)
	clients.CheckGroupNames(&ps, in.PermittedGroups)
	return st, ps, nil
}

func overlay(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// patchSource reads the metadata a patch names, if any.
func (s *Service) patchSource(ctx context.Context, p Patch) (*settings, problem.List, error) {
	var ps problem.List
	if p == (Patch{}) {
		ps.Add("", "nothing to change")
		return nil, ps, nil
	}
	for field, l := range map[string]*[]string{"acs_urls": p.ACSURLs, "permitted_groups": p.PermittedGroups} {
		if l != nil {
			inputs.CheckList(&ps, field, *l)
		}
	}
	if p.MetadataURL == nil && p.Metadata == nil {
		return nil, ps, nil
	}
	if p.MetadataURL != nil && p.Metadata != nil {
		ps.Add("metadata_url", "give either a metadata URL or a metadata file, not both")
		return nil, ps, nil
	}
	var st settings
	u, doc := "", []byte(nil)
	if p.MetadataURL != nil {
		u = inputs.Trim(*p.MetadataURL)
		if u == "" {
			ps.Add("metadata_url", "is empty")
			return nil, ps, nil
		}
	} else {
		doc = *p.Metadata
	}
	if err := s.fromMetadata(ctx, &st, u, doc, &ps); err != nil {
		return nil, nil, err
	}
	return &st, ps, nil
}

// apply returns st with the metadata's fields (src, when re-read) and then
// p's explicit fields set.
func (p Patch) apply(st settings, src *settings) settings {
	if src != nil {
		st.EntityID, st.ACSURLs, st.SLOURL, st.SigningCert = src.EntityID, src.ACSURLs, src.SLOURL, src.SigningCert
		st.MetadataURL = src.MetadataURL
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = inputs.Trim(*v)
		}
	}
	set(&st.Name, p.Name)
	set(&st.EntityID, p.EntityID)
	set(&st.SLOURL, p.SLOURL)
	if p.SigningCert != nil {
		st.SigningCert = canonicalCert(*p.SigningCert)
	}
	if p.ACSURLs != nil {
		st.ACSURLs = inputs.CleanList(*p.ACSURLs)
	}
	if p.NameIDFormat != nil {
		st.NameIDFormat = normalFormat(*p.NameIDFormat)
	}
	if p.RelayState != nil {
		st.RelayState = *p.RelayState
	}
	return st
}

// fields names what p changes, for the audit log.
func (p Patch) fields() string {
	return inputs.FieldNames(map[string]bool{
		"name": p.Name != nil, "metadata": p.MetadataURL != nil || p.Metadata != nil, "entity_id": p.EntityID != nil,
		"acs_urls": p.ACSURLs != nil, "slo_url": p.SLOURL != nil, "signing_cert": p.SigningCert != nil,
		"nameid_format": p.NameIDFormat != nil, "permitted_groups": p.PermittedGroups != nil, "relay_state": p.RelayState != nil,
		"all_members": p.AllMembers != nil,
	})
}

func settingsOf(a model.SAMLApp) settings {
	return settings{Name: a.Name, EntityID: a.EntityID, ACSURLs: a.ACSURLs, SLOURL: a.SLOURL, SigningCert: a.SigningCert,
		NameIDFormat: a.NameIDFormat, RelayState: a.RelayState, MetadataURL: a.MetadataURL}
}

func (st settings) applyTo(a *model.SAMLApp) {
	a.Name, a.EntityID, a.ACSURLs, a.SLOURL, a.SigningCert = st.Name, st.EntityID, st.ACSURLs, st.SLOURL, st.SigningCert
	a.NameIDFormat, a.RelayState, a.MetadataURL = st.NameIDFormat, st.RelayState, st.MetadataURL
}

// normalFormat accepts any letter case; "" stays "" (the caller's default).
func normalFormat(f string) string { return strings.ToLower(strings.TrimSpace(f)) }

// canonicalCert stores a certificate as one PEM block, exactly as
// saml.CertificatePEM writes it, whatever spacing or headers it came with;
// what cannot be read is kept for validate to name.
func canonicalCert(pemText string) string {
	pemText = inputs.Trim(pemText)
	if c, err := saml.ParseCertificate(pemText); err == nil {
		return saml.CertificatePEM(c.Raw)
	}
	return pemText
}

// access returns who may use the app after p, given p's groups resolved
// to groupIDs; the app's own when p changes neither.
func (p Patch) access(a model.SAMLApp, groupIDs []string) (allMembers bool, groups []string) {
	return clients.AccessAfter(a.AllMembers, a.PermittedGroups, p.PermittedGroups != nil, p.AllMembers, groupIDs)
}
