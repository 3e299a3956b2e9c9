package api

import (
	"time"

	"github.com/guildgate/guildgate/internal/views"
)

// The JSON views fix the API's field names (snake_case, stable) apart from
// the Go structs, and leave out what must never leave the server: password
// hashes, sealed secrets, private keys. SSO clients and connections are
// package views, shared with the CLI's --json. The OpenAPI schemas are generated
// from these types; a field without omitempty is always present.

type memberList struct {
	Items []views.Member `json:"items"`
	Next  string         `json:"next,omitempty"`
}

// groupList is every group: a tenant has tens, not thousands, so it is
// one page.
type groupList struct {
	Items []views.Group `json:"items"`
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

type invitationList struct {
	Items []views.PendingInvitation `json:"items"`
	Next  string                    `json:"next,omitempty"`
}

type keyList struct {
	Items []views.Key `json:"items"`
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
