package tenancy

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/branding"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// This file turns a TenantInput or TenantPatch as an operator typed it into
// one the Service can store: normalisation first (trimming, lower-casing
// hosts, one spelling per issuer), then validation reporting every problem
// at once as a *problem.Invalid.

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

func (in TenantInput) normalized() TenantInput {
	in.Slug = strings.TrimSpace(in.Slug)
	if in.Name = strings.TrimSpace(in.Name); in.Name == "" {
		in.Name = in.Slug
	}
	in.Issuer = normalizeIssuer(in.Issuer)
	in.Hosts = normalizeHosts(in.Hosts)
	in.AfterLogoutURL = strings.TrimSpace(in.AfterLogoutURL)
	in.DefaultLanguage = strings.ToLower(strings.TrimSpace(in.DefaultLanguage))
	return in
}

func (in TenantInput) validate() error {
	var ps problem.List
	if !slugPattern.MatchString(in.Slug) {
		ps.Add("slug", "%q must be 1-63 lower-case letters, digits or hyphens, starting with a letter or digit", in.Slug)
	}
	ps.Check("name", checkName(in.Name))
	ps.Check("issuer", checkIssuer(in.Issuer))
	for _, h := range in.Hosts {
		ps.Check("host", checkHost(h))
	}
	ps.Check("after_logout_url", checkAfterLogoutURL(in.AfterLogoutURL))
	ps.Check("default_language", checkLanguage(in.DefaultLanguage))
	return ps.Err()
}

func (p TenantPatch) normalized() TenantPatch {
	p.Name = trimmed(p.Name)
	p.AfterLogoutURL = trimmed(p.AfterLogoutURL)
	if p.DefaultLanguage != nil {
		v := strings.ToLower(strings.TrimSpace(*p.DefaultLanguage))
		p.DefaultLanguage = &v
	}
	if p.PrimaryColor != nil {
		v := branding.NormalizeColor(*p.PrimaryColor)
		p.PrimaryColor = &v
	}
	p.SupportURL, p.PrivacyURL, p.SignInMessage = trimmed(p.SupportURL), trimmed(p.PrivacyURL), trimmed(p.SignInMessage)
	if p.Issuer != nil {
		v := normalizeIssuer(*p.Issuer)
		p.Issuer = &v
	}
	if p.Hosts != nil {
		v := normalizeHosts(*p.Hosts)
		p.Hosts = &v
	}
	return p
}

func (p TenantPatch) validate() error {
	var ps problem.List
	if p.fields() == "" {
		ps.Add("", "nothing to change")
	}
	problem.CheckIf(&ps, "name", p.Name, checkName)
	problem.CheckIf(&ps, "issuer", p.Issuer, checkIssuer)
	if p.Hosts != nil {
		for _, h := range *p.Hosts {
			ps.Check("host", checkHost(h))
		}
	}
	problem.CheckIf(&ps, "after_logout_url", p.AfterLogoutURL, checkAfterLogoutURL)
	problem.CheckIf(&ps, "default_language", p.DefaultLanguage, checkLanguage)
	problem.CheckIf(&ps, "primary_color", p.PrimaryColor, branding.CheckColor)
	problem.CheckIf(&ps, "support_url", p.SupportURL, branding.CheckURL)
	problem.CheckIf(&ps, "privacy_url", p.PrivacyURL, branding.CheckURL)
	problem.CheckIf(&ps, "sign_in_message", p.SignInMessage, branding.CheckMessage)
	return ps.Err()
}

func (p TenantPatch) apply(t model.Tenant) model.Tenant {
	inputs.Set(&t.Name, p.Name)
	inputs.Set(&t.Issuer, p.Issuer)
	inputs.Set(&t.AfterLogoutURL, p.AfterLogoutURL)
	inputs.Set(&t.DefaultLanguage, p.DefaultLanguage)
	inputs.Set(&t.PrimaryColor, p.PrimaryColor)
	inputs.Set(&t.SupportURL, p.SupportURL)
	inputs.Set(&t.PrivacyURL, p.PrivacyURL)
	inputs.Set(&t.SignInMessage, p.SignInMessage)
	if p.Hosts != nil {
		t.Hosts = slices.Clone(*p.Hosts)
	}
	return t
}

// fields names what p changes, for the audit trail (names, never values).
func (p TenantPatch) fields() string {
	return inputs.FieldNames(map[string]bool{
		"name": p.Name != nil, "issuer": p.Issuer != nil,
		"hosts": p.Hosts != nil, "after_logout_url": p.AfterLogoutURL != nil,
		"default_language": p.DefaultLanguage != nil, "primary_color": p.PrimaryColor != nil,
		"support_url": p.SupportURL != nil, "privacy_url": p.PrivacyURL != nil,
		"sign_in_message": p.SignInMessage != nil, "logo": p.Logo != nil,
	})
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	v := strings.TrimSpace(*s)
	return &v
}

// normalizeIssuer trims, drops trailing slashes and lower-cases the host, so
// "https://SSO.example.org/" and "https://sso.example.org" name one issuer:
// relying parties compare issuers as exact strings.
func normalizeIssuer(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		u.Host = strings.ToLower(u.Host)
		return u.String()
	}
	return s
}

// normalizeHosts lower-cases and de-duplicates; invalid entries are kept for
// validate to report.
func normalizeHosts(hosts []string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, strings.ToLower(strings.TrimSpace(h)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var hostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func checkHost(h string) string {
	switch {
	case h == "":
		return "must not be empty"
	case strings.Contains(h, "://"):
		return fmt.Sprintf("%q must be a bare host name, without a scheme", h)
	case strings.ContainsAny(h, "/?#"):
		return fmt.Sprintf("%q must be a bare host name, without a path", h)
	case strings.Contains(h, ":"):
		return fmt.Sprintf("%q must be a bare host name, without a port (tenants are chosen by host name alone)", h)
	case len(h) > 253:
		return fmt.Sprintf("%q is longer than 253 characters", h)
	}
	for _, label := range strings.Split(h, ".") {
		if !hostLabel.MatchString(label) {
			return fmt.Sprintf("%q is not a valid host name (letters, digits and hyphens in dot-separated labels)", h)
		}
	}
	return ""
}

func checkIssuer(s string) string {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return "is required"
	case err != nil || u.Scheme != "https" || u.Hostname() == "":
		return fmt.Sprintf("%q must be an absolute https:// URL", s)
	case u.User != nil:
		return fmt.Sprintf("%q must not contain user info", s)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Sprintf("%q must not have a query or fragment", s)
	}
	if msg := checkHost(u.Hostname()); msg != "" && net.ParseIP(u.Hostname()) == nil {
		return "host " + msg
	}
	return ""
}

func checkAfterLogoutURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "":
		return fmt.Sprintf("%q must be an absolute https:// URL", s)
	case u.User != nil || u.Fragment != "":
		return fmt.Sprintf("%q must not contain user info or a fragment", s)
	}
	return ""
}

func checkName(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case len([]rune(s)) > 200:
		return "must be at most 200 characters"
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "must not contain control characters"
	}
	return ""
}

// checkLanguage accepts a language member-facing pages exist in, or empty
// (English).
func checkLanguage(lang string) string {
	if lang == "" || i18n.Supported(lang) {
		return ""
	}
	return fmt.Sprintf("%q is not a language Guildgate speaks (one of %s)", lang, strings.Join(i18n.Languages, ", "))
}
