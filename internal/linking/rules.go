package linking

import (
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
)

// Reason says why a sign-in was refused, for the audit log and for the
// caller to choose what to tell the person (never whose account exists).
type Reason string

const (
	// NoEmail: the source named no email address, so no member can be found.
	NoEmail Reason = "no_email"
	// BadProfile: what the source sent cannot make a valid member.
	BadProfile Reason = "bad_profile"
	// DomainNotServed: the address is of a domain the connection does not
	// serve, so its source cannot speak for it.
	DomainNotServed Reason = "domain_not_served"
	// TenantNotBound: in Entra ID multi-tenant mode, the issuing tenant is
	// not bound to the address's domain.
	TenantNotBound Reason = "tenant_not_bound"
	// EmailNotVouched: the connection does not trust the source's emails
	// and the source did not say this one is verified.
	EmailNotVouched Reason = "email_not_vouched"
	// NoAccount: no member holds the address and just-in-time creation is off.
	NoAccount Reason = "no_account"
	// Disabled: the member may not sign in.
	Disabled Reason = "disabled"
)

// Refusal is a sign-in the rules do not allow. Nothing was linked, created
// or changed.
type Refusal struct{ Reason Reason }

func (r *Refusal) Error() string { return "sign-in refused: " + string(r.Reason) }

func refuse(r Reason) error { return &Refusal{Reason: r} }

// Vouch returns "" when connection c may speak for f.Email, else why not.
// An address may be linked to a member, or make one, only when
//
//   - the connection serves its domain: a provider cannot speak for
//     another organisation's addresses;
//   - in Entra ID multi-tenant mode, the tenant that issued f is bound to
//     that domain: every Entra tenant signs with the same keys, and an
//     allowed tenant must not speak for another allowed tenant's domains;
//   - and the address is vouched for: the connection trusts its source's
//     emails (TrustEmail), or the source said this address is verified.
func Vouch(c model.Connection, f Facts) Reason {
	if f.Email == "" {
		return NoEmail
	}
	domain, ok := domainOf(f.Email)
	switch {
	case !ok:
		return BadProfile
	case !slices.Contains(c.Domains, domain):
		return DomainNotServed
	case c.IssuerMode == model.IssuerEntraMultiTenant && !tenantAsserts(c, f.Tenant, domain):
		return TenantNotBound
	case !c.TrustEmail && !f.EmailVerified:
		return EmailNotVouched
	}
	return ""
}

func tenantAsserts(c model.Connection, tid, domain string) bool {
	t, ok := c.EntraTenant(tid)
	return ok && tid != "" && slices.Contains(t.Domains, domain)
}

// domainOf returns the lower-case domain of an address with a local part.
func domainOf(email string) (string, bool) {
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 {
		return "", false
	}
	return strings.ToLower(email[at+1:]), true
}
