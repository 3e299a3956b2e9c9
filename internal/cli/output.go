package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/views"
)

// The JSON shapes scripts read are package views', shared with the admin
// API; this file only prints them as text.

// memberViewOf includes the member's groups, which partners map roles from.
func (d *data) memberViewOf(ctx context.Context, m model.Member) (views.Member, error) {
	gs, err := d.svc.Directory.GroupsOf(ctx, m.TenantID, m.ID)
	if err != nil {
		return views.Member{}, err
	}
	return views.MemberWithGroups(m, gs), nil
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

func memberText(w io.Writer, v views.Member) {
	names := make([]string, len(v.Groups))
	for i, g := range v.Groups {
		names[i] = g.Name
	}
	fields(w, "id", v.ID, "email", v.Email, "email_verified", v.EmailVerified, "name", v.Name,
		"given_name", v.GivenName, "family_name", v.FamilyName, "legacy_id", v.LegacyID, "language", v.Language,
		"status", v.Status, "disabled", v.Disabled, "admin", v.Admin,
		"groups", strings.Join(names, ", "), "created_at", stamp(v.CreatedAt), "updated_at", stamp(v.UpdatedAt))
}

func groupText(w io.Writer, v views.Group) {
	fields(w, "id", v.ID, "name", v.Name, "description", v.Description, "created_at", stamp(v.CreatedAt))
}

func tenantText(w io.Writer, v views.Tenant) {
	fields(w, "id", v.ID, "slug", v.Slug, "name", v.Name, "issuer", v.Issuer, "hosts", strings.Join(v.Hosts, ", "),
		"after_logout_url", v.AfterLogoutURL, "default_language", v.DefaultLanguage,
		"primary_color", v.PrimaryColor, "support_url", v.SupportURL, "privacy_url", v.PrivacyURL,
		"sign_in_message", v.SignInMessage, "logo", v.LogoType, "created_at", stamp(v.CreatedAt), "updated_at", stamp(v.UpdatedAt))
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
