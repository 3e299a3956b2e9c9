package connections

import (
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

const entraField = "entra_tenants"

// ParseEntraTenants reads the one text form of Entra tenant bindings that
// the CLI, the console and a connection's text view share:
//
//	TENANT-ID=domain|domain,TENANT-ID=domain
//
// entries separated by commas or lines, a tenant's domains by "|". A bare
// TENANT-ID (the old --allowed-tenant-ids form) names no domain; see
// normalizeEntraTenants for what that means. Nothing is refused or dropped
// here but blank lines (a text area's): a stray comma or "|" is kept as an
// empty entry, for validation to refuse as every list's is.
func ParseEntraTenants(s string) []model.EntraTenant {
	out := []model.EntraTenant{}
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if inputs.Trim(line) == "" {
			continue
		}
		for _, e := range strings.Split(line, ",") {
			id, doms, bound := strings.Cut(e, "=")
			t := model.EntraTenant{ID: id}
			if bound {
				t.Domains = strings.Split(doms, "|")
			}
			out = append(out, t)
		}
	}
	return out
}

// FormatEntraTenants writes ts in ParseEntraTenants' form, one entry per
// sep ("," on one line, "\n" in a text area).
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
// are written (repeats dropped, empty entries kept for validation). A
// single tenant that names no domain is bound to every domain of the
// connection: that is what it could assert before tenants were bound, and
// with no other tenant there is no one to impersonate.
func normalizeEntraTenants(ts []model.EntraTenant, connDomains []string) []model.EntraTenant {
	out := make([]model.EntraTenant, 0, len(ts))
	for _, t := range ts {
		n := model.EntraTenant{ID: inputs.Trim(t.ID)}
		for _, d := range t.Domains {
			if d = normalizeDomain(d); d == "" || !slices.Contains(n.Domains, d) {
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

// normalizeDomain lower-cases and drops a leading "@" and a trailing dot;
// like every value, it keeps control characters for validation to refuse.
func normalizeDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimPrefix(inputs.Trim(d), "@")), ".")
}

// entraTenantShape applies the list rule in every issuer mode: no empty
// tenant id or domain (a stray comma or "|").
func entraTenantShape(ts []model.EntraTenant) problem.List {
	var ps problem.List
	for _, t := range ts {
		if t.ID == "" || slices.Contains(t.Domains, "") {
			ps.Add(entraField, "must not hold an empty entry (a stray comma?)")
			break
		}
	}
	return ps
}

// entraTenantProblems checks a multi-tenant connection's bindings: every
// allowed tenant asserts at least one of the connection's domains, and no
// domain is asserted by two tenants (Entra lets one tenant verify a domain,
// so a second claimant is a mistake that would let it impersonate the
// first). Empty entries are entraTenantShape's to report.
func entraTenantProblems(ts []model.EntraTenant, connDomains []string) problem.List {
	var ps problem.List
	if len(ts) == 0 {
		ps.Add(entraField, "Entra ID multi-tenant mode needs the tenant ids to accept: any Entra tenant could sign in otherwise")
	}
	owner := map[string]string{}
	for i, t := range ts {
		switch {
		case t.ID == "":
			continue
		case !tokenRE.MatchString(t.ID) || strings.ContainsAny(t.ID, "=|,"):
			ps.Add(entraField, "%q is not an Entra tenant id", t.ID)
		case slices.ContainsFunc(ts[:i], func(o model.EntraTenant) bool { return o.ID == t.ID }):
			ps.Add(entraField, "tenant %s is listed twice", t.ID)
		case len(t.Domains) == 0:
			ps.Add(entraField, "bind tenant %s to the domains it may assert, e.g. %s=%s", t.ID, t.ID, firstOr(connDomains, "domain"))
		}
		for _, d := range t.Domains {
			switch {
			case d == "":
			case !slices.Contains(connDomains, d):
				ps.Add(entraField, "tenant %q: %q is not one of this connection's domains", t.ID, d)
			case owner[d] != "" && owner[d] != t.ID:
				ps.Add(entraField, "%s is bound to tenants %s and %s: a domain belongs to one organisation", d, owner[d], t.ID)
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
