package httpx

import (
	"net/http"
	"net/netip"
)

// AllowFrom serves next only to clients whose address (ClientIP: the peer,
// or what trusted proxies say the client is) lies in Allowed; everyone else
// gets a plain 403. It guards operator endpoints such as /metrics, which
// map routes, rates and failures and are nobody else's business.
//
// 403 rather than 404: the endpoint is documented, so hiding it hides
// nothing, while an operator whose scraper is refused learns which setting
// to change instead of hunting for a missing route.
type AllowFrom struct {
	Allowed        []netip.Prefix
	TrustedProxies []netip.Prefix
	// Setting names the operator setting that widens Allowed, for the refusal.
	Setting string
}

// Wrap guards next.
func (a AllowFrom) Wrap(next http.Handler) http.Handler {
	return gate(next, a.allows, http.StatusForbidden,
		"This address may not read this page; the operator allows addresses with "+a.Setting+".\n")
}

func (a AllowFrom) allows(r *http.Request) bool {
	ip, ok := parseAddr(ClientIP(r, a.TrustedProxies))
	return ok && trusted(ip, a.Allowed)
}
