package api

import (
	"encoding/json"
	"strings"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
)

// Request bodies. A field with omitempty is optional; in a patch, an
// absent (or null) field is left as it is.

type memberInput struct {
	Email         string  `json:"email"`
	Name          string  `json:"name"`
	GivenName     string  `json:"given_name,omitempty"`
	FamilyName    string  `json:"family_name,omitempty"`
	LegacyID      string  `json:"legacy_id,omitempty"`
	Status        *string `json:"status,omitempty"`
	EmailVerified bool    `json:"email_verified,omitempty"`
	Admin         bool    `json:"admin,omitempty"`
	Password      string  `json:"password,omitempty"`
}

// directory maps the body as sent: an absent status is none (current), and
// one sent empty is passed on for the service to refuse, as it refuses the
// CLI's --status "".
func (in memberInput) directory() directory.MemberInput {
	return directory.MemberInput{Email: in.Email, Name: in.Name, GivenName: in.GivenName, FamilyName: in.FamilyName,
		LegacyID: in.LegacyID, Status: (*model.MemberStatus)(in.Status), EmailVerified: in.EmailVerified,
		Admin: in.Admin, Password: in.Password}
}

type memberPatch struct {
	Email         *string `json:"email,omitempty"`
	Name          *string `json:"name,omitempty"`
	GivenName     *string `json:"given_name,omitempty"`
	FamilyName    *string `json:"family_name,omitempty"`
	LegacyID      *string `json:"legacy_id,omitempty"`
	Status        *string `json:"status,omitempty"`
	EmailVerified *bool   `json:"email_verified,omitempty"`
	Admin         *bool   `json:"admin,omitempty"`
	Language      *string `json:"language,omitempty"`
}

func (p memberPatch) directory() directory.MemberPatch {
	out := directory.MemberPatch{Email: p.Email, Name: p.Name, GivenName: p.GivenName, FamilyName: p.FamilyName,
		LegacyID: p.LegacyID, EmailVerified: p.EmailVerified, Admin: p.Admin, Language: p.Language}
	if p.Status != nil {
		s := model.MemberStatus(*p.Status)
		out.Status = &s
	}
	return out
}

type statusInput struct {
	Status string `json:"status"`
}

type groupInput struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

func (in groupInput) directory() directory.GroupInput {
	return directory.GroupInput{Name: in.Name, Description: in.Description}
}

type groupPatch struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

func (p groupPatch) directory() directory.GroupPatch {
	return directory.GroupPatch{Name: p.Name, Description: p.Description}
}

// clientInput names permitted groups by name, as administrators know them.
type clientInput struct {
	Name                   string   `json:"name"`
	RedirectURIs           []string `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	PermittedGroups        []string `json:"permitted_groups,omitempty"`
	IDTokenAlg             string   `json:"id_token_alg,omitempty"`
	BackchannelLogoutURI   string   `json:"backchannel_logout_uri,omitempty"`
	GrantTypes             []string `json:"grant_types,omitempty"`
	Public                 bool     `json:"public,omitempty"`
	GroupsClaim            bool     `json:"groups_claim,omitempty"`
	// OmitAuthorizationResponseIss: see model.Client.
	OmitAuthorizationResponseIss bool `json:"omit_authorization_response_iss,omitempty"`
	// The modern OAuth settings: see model.Client. jwks is a JWK Set object.
	RequirePAR      bool            `json:"require_par,omitempty"`
	RequireDPoP     bool            `json:"require_dpop,omitempty"`
	TokenAuthMethod string          `json:"token_auth_method,omitempty"`
	JWKSURI         string          `json:"jwks_uri,omitempty"`
	JWKS            json.RawMessage `json:"jwks,omitempty"`
}

func (in clientInput) clients() clients.Input {
	return clients.Input{Name: in.Name, RedirectURIs: in.RedirectURIs, PostLogoutRedirectURIs: in.PostLogoutRedirectURIs,
		PermittedGroups: in.PermittedGroups, IDTokenAlg: in.IDTokenAlg, BackchannelLogoutURI: in.BackchannelLogoutURI,
		GrantTypes: in.GrantTypes, Public: in.Public, GroupsClaim: in.GroupsClaim,
		OmitAuthorizationResponseIss: in.OmitAuthorizationResponseIss,
		Modern: clients.Modern{RequirePAR: in.RequirePAR, RequireDPoP: in.RequireDPoP, TokenAuthMethod: in.TokenAuthMethod,
			JWKSURI: in.JWKSURI, JWKS: jwksText(in.JWKS)}}
}

// jwksText is a JWK Set as given in JSON, as the text stored: "" for
// absent or null.
func jwksText(raw json.RawMessage) string {
	if s := strings.TrimSpace(string(raw)); s != "null" {
		return s
	}
	return ""
}

// jwksPatch: absent leaves the keys alone; null removes them.
func jwksPatch(raw json.RawMessage) *string {
	if raw == nil {
		return nil
	}
	s := jwksText(raw)
	return &s
}

// clientPatch: an empty list clears it (for permitted_groups: every member
// may use the client).
type clientPatch struct {
	Name                   *string   `json:"name,omitempty"`
	RedirectURIs           *[]string `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs *[]string `json:"post_logout_redirect_uris,omitempty"`
	PermittedGroups        *[]string `json:"permitted_groups,omitempty"`
	IDTokenAlg             *string   `json:"id_token_alg,omitempty"`
	BackchannelLogoutURI   *string   `json:"backchannel_logout_uri,omitempty"`
	GrantTypes             *[]string `json:"grant_types,omitempty"`
	Public                 *bool     `json:"public,omitempty"`
	GroupsClaim            *bool     `json:"groups_claim,omitempty"`
	// OmitAuthorizationResponseIss: see model.Client.
	OmitAuthorizationResponseIss *bool `json:"omit_authorization_response_iss,omitempty"`
	// The modern OAuth settings: see model.Client. "jwks": null removes the
	// key set, "jwks_uri": "" the URL.
	RequirePAR      *bool           `json:"require_par,omitempty"`
	RequireDPoP     *bool           `json:"require_dpop,omitempty"`
	TokenAuthMethod *string         `json:"token_auth_method,omitempty"`
	JWKSURI         *string         `json:"jwks_uri,omitempty"`
	JWKS            json.RawMessage `json:"jwks,omitempty"`
}

func (p clientPatch) clients() clients.Patch {
	return clients.Patch{Name: p.Name, RedirectURIs: p.RedirectURIs, PostLogoutRedirectURIs: p.PostLogoutRedirectURIs,
		PermittedGroups: p.PermittedGroups, IDTokenAlg: p.IDTokenAlg, BackchannelLogoutURI: p.BackchannelLogoutURI,
		GrantTypes: p.GrantTypes, Public: p.Public, GroupsClaim: p.GroupsClaim,
		OmitAuthorizationResponseIss: p.OmitAuthorizationResponseIss,
		RequirePAR:                   p.RequirePAR, RequireDPoP: p.RequireDPoP, TokenAuthMethod: p.TokenAuthMethod,
		JWKSURI: p.JWKSURI, JWKS: jwksPatch(p.JWKS)}
}

// rotateInput: overlap is a Go duration ("24h"); absent means 24h, as in
// the CLI, and "0s" ends the old secret at once, the answer to a leak.
type rotateInput struct {
	Overlap string `json:"overlap,omitempty"`
}
