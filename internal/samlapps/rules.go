package samlapps

import (
	"strings"
	"unicode/utf8"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/saml"
)

// Limits; no honest app comes near them.
const (
	MaxNameLength     = 200
	MaxEntityIDLength = 1024 // saml-core §8.3.6
	MaxACSURLs        = 20
	// MaxRelayState is the 80 bytes saml-bindings §3.4.3 allows a sender.
	MaxRelayState = 80
)

var formats = []string{model.NameIDEmail, model.NameIDPersistent, model.NameIDTransient}

// validate reports every problem at once.
func (st settings) validate() problem.List {
	var ps problem.List
	ps.Check("name", checkText(st.Name, MaxNameLength, true))
	ps.Check("entity_id", checkEntityID(st.EntityID))
	checkACS(&ps, st.ACSURLs)
	if st.SLOURL != "" {
		ps.Check("slo_url", clients.URIProblem(st.SLOURL))
	}
	if st.SigningCert != "" {
		if _, err := saml.ParseCertificate(st.SigningCert); err != nil {
			ps.Add("signing_cert", "is not one PEM certificate: %v", err)
		}
	}
	if !contains(formats, st.NameIDFormat) {
		ps.Add("nameid_format", "%q is not one of %s", st.NameIDFormat, strings.Join(formats, ", "))
	}
	if len(st.RelayState) > MaxRelayState {
		ps.Add("relay_state", "must be at most %d bytes (SAML's limit)", MaxRelayState)
	} else {
		ps.Check("relay_state", checkText(st.RelayState, MaxRelayState, false))
	}
	return ps
}

// checkText is inputs.CheckText for text that must also be valid UTF-8: it
// goes into signed XML.
func checkText(s string, max int, required bool) string {
	if s != "" && !utf8.ValidString(s) {
		return "must be UTF-8 text"
	}
	return inputs.CheckText(s, required, max)
}

// checkEntityID: SAML compares entity ids byte for byte, so what is stored
// must be exactly what the app sends: no spaces, nothing invisible.
func checkEntityID(id string) string {
	if msg := checkText(id, MaxEntityIDLength, true); msg != "" {
		if id == "" {
			return "is required (give the app's metadata, or its entity id and ACS URLs)"
		}
		return msg
	}
	if strings.ContainsAny(id, " \t") {
		return "must not contain spaces"
	}
	return ""
}

// checkACS applies the redirect-URI rules, worded as for SSO clients
// (clients.URIProblem): an ACS or SLO URL is where a member's browser is
// sent with a signed assertion, so it is held to exactly the rules a
// redirect URI is, and matched as exactly.
func checkACS(ps *problem.List, urls []string) {
	switch {
	case len(urls) == 0:
		ps.Add("acs_urls", "at least one assertion consumer service URL is required")
		return
	case len(urls) > MaxACSURLs:
		ps.Add("acs_urls", "must list at most %d URLs", MaxACSURLs)
		return
	}
	seen := map[string]bool{}
	for _, u := range urls {
		if seen[u] {
			ps.Add("acs_urls", "%q is listed twice", u)
		}
		seen[u] = true
		ps.Check("acs_urls", clients.URIProblem(u))
	}
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}
