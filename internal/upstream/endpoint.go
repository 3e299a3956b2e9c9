package upstream

import (
	"fmt"
	"net/url"
)

// CheckEndpoint accepts absolute https URLs only. Codes, tokens and the
// client secret travel to these endpoints, and the outbound client sends
// nothing else, on loopback included: a provider on the operator's own
// machine or network still speaks TLS (--allow-private-upstreams lets it be
// at a private address, not in the clear).
func CheckEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		return fmt.Errorf("%s uses http: it must be https", raw)
	}
	return fmt.Errorf("%q must be an https URL", raw)
}
