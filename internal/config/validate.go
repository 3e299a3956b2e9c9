package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
)

// Validate returns every problem at once, each naming the setting.
func (c Config) Validate() []error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		add("addr: %q is not host:port", c.Addr)
	}
	if err := checkIssuer(c.Issuer); err != nil {
		add("issuer: %v", err)
	}
	if c.Database == "" {
		add("database: must not be empty")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		add("tls-cert and tls-key: give both or neither")
	}
	for _, p := range c.TrustedProxies {
		if _, err := parsePrefix(p); err != nil {
			add("trusted-proxy: %v", err)
		}
	}
	for _, p := range c.MetricsAllow {
		if _, err := parsePrefix(p); err != nil {
			add("metrics-allow: %v", err)
		}
	}
	if !oneOf(c.LogLevel, "debug", "info", "warn", "error") {
		add("log-level: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	if !oneOf(c.LogFormat, "json", "text") {
		add("log-format: %q is not json or text", c.LogFormat)
	}
	if c.SessionIdle <= 0 || c.SessionAbsolute <= 0 {
		add("session-idle and session-absolute: must be positive")
	} else if c.SessionIdle > c.SessionAbsolute {
		add("session-idle (%s) must not exceed session-absolute (%s)", c.SessionIdle, c.SessionAbsolute)
	}
	if c.ShutdownTimeout <= 0 {
		add("shutdown-timeout: must be positive")
	}
	errs = append(errs, c.validateMail()...)
	return errs
}

func checkIssuer(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL", s)
	case u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("%q must be an absolute https:// URL", s)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return errors.New("must not carry a query, fragment or user info")
	case strings.HasSuffix(u.Path, "/"):
		return errors.New("must not end with a slash")
	}
	return nil
}

func oneOf(s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

// validateMail checks the relay settings' shape; the mail package checks
// them in full when serve builds the relay.
func (c Config) validateMail() []error {
	var errs []error
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			errs = append(errs, errors.New("smtp-url: must be smtp://[user@]host[:port] or smtps://[user@]host[:port]"))
		} else if _, has := u.User.Password(); has {
			errs = append(errs, errors.New("smtp-url: must not hold the password; set GUILDGATE_SMTP_PASSWORD instead"))
		}
		if c.MailFrom == "" {
			errs = append(errs, errors.New(`mail-from: required with smtp-url, e.g. "Guild <sso@example.org>"`))
		}
	}
	if c.MailFrom != "" {
		if a, err := mail.ParseAddress(c.MailFrom); err != nil || strings.ContainsAny(c.MailFrom, "\r\n") || a.Address == "" {
			errs = append(errs, fmt.Errorf("mail-from: %q is not an address such as \"Guild <sso@example.org>\"", c.MailFrom))
		}
	}
	return errs
}
