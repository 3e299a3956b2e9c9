package connections

import (
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// ParseEntraTenants reads the one text form of Entra tenant bindings that
// the CLI, the console and a connection's text view share:
//
//	TENANT-ID=domain|domain,TENANT-ID=domain
//
// entries separated by commas or new lines, a tenant's domains by "|". A
// bare TENANT-ID (the old --allowed-tenant-ids form) names no domain; see
// Input.EntraTenants for what that means. Nothing is refused here: a
// malformed entry is kept as it reads, for validation to report.
func ParseEntraTenants(s string) []model.EntraTenant {
	out := []model.EntraTenant{}
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if strings.TrimSpace(e) == "" {
			continue
		}
		id, doms, _ := strings.Cut(e, "=")
		t := model.EntraTenant{ID: strings.TrimSpace(id)}
		if doms != "" {
			t.Domains = strings.Split(doms, "|")
		}
		out = append(out, t)
	}
	return out
}

// FormatEntraTenants writes ts in ParseEntraTenants' form, one entry per
// sep (", " on one line, "\n" in a text area).
func FormatEntraTenants(ts []model.EntraTenant, sep string) string {
	entries := make([]string, len(ts))
	for i, t := range ts {
		entries[i] = t.ID
		if len(t.Domains) > 0 {
			entries[i] += "=" + strings.Join(t.Domains, "|")
		}
	}
	return strings.Join(entries, sep)
}

// normalizeEntraTenants trims ids and writes domains as connection domains
// are written. A single tenant that names no domain is bound to every
// domain of the connection: that is what it could assert before tenants
// were bound, and with no other tenant there is no one to impersonate.
func normalizeEntraTenants(ts []model.EntraTenant, connDomains []string) []model.EntraTenant {
	out := make([]model.EntraTenant, 0, len(ts))
	for _, t := range ts {
		n := model.EntraTenant{ID: strings.TrimSpace(t.ID)}
		for _, d := range t.Domains {
			if d = normalizeDomain(d); d != "" && !slices.Contains(n.Domains, d) {
				n.Domains = append(n.Domains, d)
			}
		}
		out = append(out, n)
	}
	if len(out) == 1 && len(out[0].Domains) == 0 {
		out[0].Domains = slices.Clone(connDomains)
	}
	return out
}

func normalizeDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@")), ".")
}

// entraTenantProblems checks a multi-tenant connection's bindings: every
// allowed tenant asserts at least one of the connection's domains, and no
// domain is asserted by two tenants (Entra lets one tenant verify a domain,
// so a second claimant is a mistake that would let it impersonate the first).
func entraTenantProblems(ts []model.EntraTenant, connDomains []string) problem.List {
	const field = "entra_tenants"
	var ps problem.List
	if len(ts) == 0 {
		ps.Add(field, "Entra ID multi-tenant mode needs the tenant ids to accept: any Entra tenant could sign in otherwise")
	}
	owner := map[string]string{}
	for i, t := range ts {
		switch {
		case !tokenRE.MatchString(t.ID) || strings.ContainsAny(t.ID, "=|,"):
			ps.Add(field, "%q is not an Entra tenant id", t.ID)
		case slices.ContainsFunc(ts[:i], func(o model.EntraTenant) bool { return o.ID == t.ID }):
			ps.Add(field, "tenant %s is listed twice", t.ID)
		case len(t.Domains) == 0:
			ps.Add(field, "bind tenant %s to the domains it may assert, e.g. %s=%s", t.ID, t.ID, firstOr(connDomains, "domain"))
		}
		for _, d := range t.Domains {
			switch {
			case !slices.Contains(connDomains, d):
				ps.Add(field, "tenant %s: %s is not one of this connection's domains", t.ID, d)
			case owner[d] != "" && owner[d] != t.ID:
				ps.Add(field, "%s is bound to tenants %s and %s: a domain belongs to one organisation", d, owner[d], t.ID)
			default:
				owner[d] = t.ID
			}
		}
	}
	return ps
}

func firstOr(l []string, def string) string {
	if len(l) == 0 {
		return def
	}
	return l[0]
}
