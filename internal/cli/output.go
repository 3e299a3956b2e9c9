package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
)

// The JSON views fix the field names scripts rely on (snake_case, stable),
// independent of the Go structs, and leave out what must never be printed,
// such as the password hash.

type memberView struct {
	ID                string    `json:"id"`
	Email             string    `json:"email"`
	EmailVerified     bool      `json:"email_verified"`
	Name              string    `json:"name"`
	GivenName         string    `json:"given_name"`
	FamilyName        string    `json:"family_name"`
	LegacyID          string    `json:"legacy_id"`
	Status            string    `json:"status"`
	Disabled          bool      `json:"disabled"`
	Admin             bool      `json:"admin"`
	Groups            []string  `json:"groups"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	GeneratedPassword string    `json:"generated_password,omitempty"`
}

type groupView struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type tenantView struct {
	ID             string   `json:"id"`
	Slug           string   `json:"slug"`
	Name           string   `json:"name"`
	Issuer         string   `json:"issuer"`
	Hosts          []string `json:"hosts"`
	AfterLogoutURL string   `json:"after_logout_url"`
	// DefaultLanguage is the language in effect: English when none is set.
	DefaultLanguage string    `json:"default_language"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// memberViewOf includes the member's group names, which partners map roles from.
func (d *data) memberViewOf(ctx context.Context, m model.Member) (memberView, error) {
	gs, err := d.dir.GroupsOf(ctx, m.TenantID, m.ID)
	if err != nil {
		return memberView{}, err
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return memberView{
		ID: m.ID, Email: m.Email, EmailVerified: m.EmailVerified, Name: m.Name, GivenName: m.GivenName,
		FamilyName: m.FamilyName, LegacyID: m.LegacyID, Status: string(m.Status), Disabled: m.Disabled,
		Admin: m.Admin, Groups: names, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}, nil
}

func groupViewOf(g model.Group) groupView {
	return groupView{ID: g.ID, Name: g.Name, Description: g.Description, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

func tenantViewOf(t model.Tenant) tenantView {
	hosts := append([]string{}, t.Hosts...) // [] rather than null in JSON
	return tenantView{
		ID: t.ID, Slug: t.Slug, Name: t.Name, Issuer: t.Issuer, Hosts: hosts,
		AfterLogoutURL: t.AfterLogoutURL, DefaultLanguage: cmp.Or(t.DefaultLanguage, i18n.Default),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

// emit prints v as indented JSON, or as text through the text function.
func (c *call) emit(asJSON bool, v any, text func(w io.Writer)) error {
	if asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

// fields prints label/value pairs, one per line, for `show` output.
func fields(w io.Writer, pairs ...any) {
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(w, "%s:\t%v\n", pairs[i], pairs[i+1])
	}
}

func (v memberView) text(w io.Writer) {
	fields(w, "id", v.ID, "email", v.Email, "email_verified", v.EmailVerified, "name", v.Name,
		"given_name", v.GivenName, "family_name", v.FamilyName, "legacy_id", v.LegacyID,
		"status", v.Status, "disabled", v.Disabled, "admin", v.Admin,
		"groups", strings.Join(v.Groups, ", "), "created_at", stamp(v.CreatedAt), "updated_at", stamp(v.UpdatedAt))
}

func (v groupView) text(w io.Writer) {
	fields(w, "id", v.ID, "name", v.Name, "description", v.Description, "created_at", stamp(v.CreatedAt))
}

func (v tenantView) text(w io.Writer) {
	fields(w, "id", v.ID, "slug", v.Slug, "name", v.Name, "issuer", v.Issuer, "hosts", strings.Join(v.Hosts, ", "),
		"after_logout_url", v.AfterLogoutURL, "default_language", v.DefaultLanguage, "created_at", stamp(v.CreatedAt), "updated_at", stamp(v.UpdatedAt))
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
