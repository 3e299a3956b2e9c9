package api

import (
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/views"
)

// The JSON views fix the API's field names (snake_case, stable) apart from
// the Go structs, and leave out what must never leave the server: password
// hashes, sealed secrets, private keys. SSO clients and connections are
// package views, shared with the CLI's --json. The OpenAPI schemas are generated
// from these types; a field without omitempty is always present.

type memberView struct {
	ID            string     `json:"id"`
	Email         string     `json:"email"`
	EmailVerified bool       `json:"email_verified"`
	Name          string     `json:"name"`
	GivenName     string     `json:"given_name"`
	FamilyName    string     `json:"family_name"`
	LegacyID      string     `json:"legacy_id"`
	Status        string     `json:"status"`
	Disabled      bool       `json:"disabled"`
	Admin         bool       `json:"admin"`
	HasPassword   bool       `json:"has_password"`
	Groups        []groupRef `json:"groups,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func memberViewOf(m model.Member) memberView {
	return memberView{ID: m.ID, Email: m.Email, EmailVerified: m.EmailVerified, Name: m.Name,
		GivenName: m.GivenName, FamilyName: m.FamilyName, LegacyID: m.LegacyID, Status: string(m.Status),
		Disabled: m.Disabled, Admin: m.Admin, HasPassword: m.PasswordHash != "", CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

type memberList struct {
	Items []memberView `json:"items"`
	Next  string       `json:"next,omitempty"`
}

type groupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type groupView struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func groupViewOf(g model.Group) groupView {
	return groupView{ID: g.ID, Name: g.Name, Description: g.Description, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

// groupList is every group: a tenant has tens, not thousands, so it is
// one page.
type groupList struct {
	Items []groupView `json:"items"`
}

type clientRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// groupDeleted names the clients that were restricted to the deleted group:
// they now admit nobody through it, which the administrator must know.
type groupDeleted struct {
	ID                string      `json:"id"`
	Name              string      `json:"name"`
	RestrictedClients []clientRef `json:"restricted_clients"`
	Warning           string      `json:"warning,omitempty"`
}

type clientList struct {
	Items []views.Client `json:"items"`
}

type auditView struct {
	ID     int64             `json:"id"`
	At     time.Time         `json:"at"`
	Actor  string            `json:"actor"`
	Action string            `json:"action"`
	Target string            `json:"target"`
	IP     string            `json:"ip"`
	Detail map[string]string `json:"detail"`
}

type auditList struct {
	Items []auditView `json:"items"`
	Next  string      `json:"next,omitempty"`
}

// keyView is a signing key's public metadata; never private material.
type keyView struct {
	KID         string    `json:"kid"`
	Purpose     string    `json:"purpose"` // "jws" (tokens, the JWKS) or "saml" (the SAML metadata)
	Alg         string    `json:"alg"`
	State       string    `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
	ActivatedAt time.Time `json:"activated_at,omitzero"`
	RetiredAt   time.Time `json:"retired_at,omitzero"`
	RemoveAfter time.Time `json:"remove_after,omitzero"`
}

type keyList struct {
	Items []keyView `json:"items"`
}

// importReport is memberscsv.Report with each bad row's problems by field.
type importReport struct {
	DryRun    bool          `json:"dry_run"`
	Rows      int           `json:"rows"`
	Created   int           `json:"created"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Errors    []importError `json:"errors"`
}

type importError struct {
	Line    int            `json:"line"`
	Email   string         `json:"email,omitempty"`
	Message string         `json:"message"`
	Details []fieldProblem `json:"details,omitempty"`
}
