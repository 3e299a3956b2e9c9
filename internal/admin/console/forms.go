package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/problem"
)

// base is what every page shows around its content.
type base struct {
	Site    string // the tenant's display name
	Admin   string // who is signed in
	CSRF    string
	Section string // highlights the navigation entry
	Title   string
	Flash   string // the outcome of the last change, after a redirect
}

// oneTimeLink is a link stored only as its hash, on the page that is the
// one chance to copy it (the "one-time-link" partial in layout.html): ID
// names its input, Label says what the link is for.
type oneTimeLink struct{ ID, Label, URL string }

func (h *Handler) base(r *http.Request, c *call, section, title string) base {
	return pageBase(r, c, section, title)
}

// pageBase is what every console page shows around its content; the test
// sign-in page (TestSignIns) has no Handler.
func pageBase(r *http.Request, c *call, section, title string) base {
	return base{Site: c.tenant.Name, Admin: c.admin.Email, CSRF: c.csrf, Section: section, Title: title,
		Flash: flashes[r.URL.Query().Get("done")]}
}

// flashes are the only texts a ?done= parameter can show: a fixed table,
// so a crafted link cannot put words on an administrator's screen.
var flashes = map[string]string{
	"webhook-enabled": "Endpoint enabled: new events are sent to it again.", "webhook-deleted": "Webhook endpoint deleted.",
	"webhook-redelivered": "Delivery queued again, with the same webhook-id.",
	"client-created":      "Client saved. Copy its client ID and secret below and give them to the partner.",
	"client-updated":      "Client saved.", "client-deleted": "Client deleted.",
	"secret-rotated":        "New secret generated; the previous one keeps working for the chosen overlap.",
	"verification-sent":     "A link that confirms the address is on its way to the member, valid 24 hours.",
	"verification-too-soon": "A link was mailed to this member a moment ago; wait a few minutes before sending another.",
	"invitation-sent":       "Invitation sent: the link is on its way to the person, valid 7 days.",
	"invitation-revoked":    "Invitation withdrawn: its link no longer works; the member stays, without a password.",
	"member-created":        "Member added.", "member-updated": "Member saved.", "member-deleted": "Member deleted.",
	"member-disabled": "Member disabled and signed out everywhere.", "member-enabled": "Member enabled.",
	"mfa-reset":     "Second factors removed: the member signs in with their password and may set up a new authenticator.",
	"group-created": "Group created.", "group-updated": "Group saved.", "group-deleted": "Group deleted.",
	"connection-created": "Connection saved. Test it, or create a setup link for the organisation's IT contact.",
	"connection-updated": "Connection saved.", "connection-deleted": "Connection deleted.",
	"keys-rotated":     "Signing keys rotated.",
	"branding-updated": "Branding saved. Member pages and mail show it within a few seconds.", "unchanged": "Nothing was changed.",
	"samlapp-created": "SAML app saved. Give its owner this site's SAML metadata URL, shown below.",
	"samlapp-updated": "SAML app saved.", "samlapp-deleted": "SAML app deleted.",
}

// seeOther ends a successful change: back to a page, with its outcome.
func seeOther(w http.ResponseWriter, path, done string) error {
	if done != "" {
		path += "?done=" + done
	}
	httpx.SeeOther(w, path)
	return nil
}

// fieldErrors groups a service's problems by form field, so each shows next
// to its input (every bad redirect URL under the redirect URL field). The
// second result is false for an error that is not about the input.
func fieldErrors(err error) (map[string][]string, bool) {
	inv, ok := errors.AsType[*problem.Invalid](err)
	if !ok {
		if c, isConflict := errors.AsType[*problem.Conflict](err); isConflict {
			return map[string][]string{"": {c.Error()}}, true
		}
		return nil, false
	}
	out := map[string][]string{}
	for _, p := range inv.Problems {
		out[p.Field] = append(out[p.Field], p.Message)
	}
	return out, true
}

// splitList reads a comma-separated (or one-per-line) text area. Blank
// lines and a trailing comma are layout in a text area, so they are
// dropped here; the CLI and the API, which take lists entry by entry, have
// an empty entry refused by the services.
func splitList(s string) []string {
	out := []string{}
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if strings.TrimSpace(e) != "" {
			out = append(out, e)
		}
	}
	return out
}
