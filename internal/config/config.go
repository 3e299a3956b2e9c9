// Package config turns flags, GUILDGATE_* environment variables and an
// optional YAML file into one typed, validated Config, so no other package
// reads settings by string key. Precedence: defaults < file < env < flags.
package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"time"
)

// Config is every setting `guildgate serve` and the data commands use.
type Config struct {
	Addr            string        `yaml:"addr"`
	Issuer          string        `yaml:"issuer"`
	DataDir         string        `yaml:"data_dir"`
	Database        string        `yaml:"database"`
	TLSCert         string        `yaml:"tls_cert"`
	TLSKey          string        `yaml:"tls_key"`
	TrustedProxies  []string      `yaml:"trusted_proxies"`
	MetricsAllow    []string      `yaml:"metrics_allow"`
	LogLevel        string        `yaml:"log_level"`
	LogFormat       string        `yaml:"log_format"`
	SessionIdle     time.Duration `yaml:"session_idle"`
	SessionAbsolute time.Duration `yaml:"session_absolute"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// AllowPrivateUpstreams lets Guildgate contact partners' URLs (upstream
	// providers, back-channel logout) at loopback and private addresses,
	// for a provider on the operator's own network; off, only public ones.
	AllowPrivateUpstreams bool `yaml:"allow_private_upstreams"`
	// SMTPURL names the relay mail goes through (smtp://user@host:587 or
	// smtps://user@host:465); empty means Guildgate sends no mail.
	SMTPURL string `yaml:"smtp_url"`
	// MailFrom is the sender, "Name <address>"; required with SMTPURL.
	MailFrom string `yaml:"mail_from"`
	// SMTPPassword comes only from GUILDGATE_SMTP_PASSWORD, like MasterKey.
	SMTPPassword string `yaml:"-"`
	// ConfigFile is where the YAML came from, for messages; not itself a YAML key.
	ConfigFile string `yaml:"-"`
	// MasterKey comes only from GUILDGATE_MASTER_KEY, never a flag or the file,
	// so it stays out of shell history and config management. Empty means the
	// key file in DataDir.
	MasterKey string `yaml:"-"`
}

// GoString keeps the master key and the SMTP password out of %#v output.
func (c Config) GoString() string {
	c.MasterKey, c.SMTPPassword = redact(c.MasterKey), redact(c.SMTPPassword)
	type plain Config
	return fmt.Sprintf("%#v", plain(c))
}

// String keeps the master key and the SMTP password out of %v and %+v output.
func (c Config) String() string {
	c.MasterKey, c.SMTPPassword = redact(c.MasterKey), redact(c.SMTPPassword)
	type plain Config
	return fmt.Sprintf("%+v", plain(c))
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// Default returns the settings a newcomer gets with no flags and no file.
// Issuer and Database are derived from Addr and DataDir in finish when unset.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8443",
		DataDir:         "guildgate-data",
		LogLevel:        "info",
		LogFormat:       "json",
		SessionIdle:     12 * time.Hour,
		SessionAbsolute: 7 * 24 * time.Hour,
		ShutdownTimeout: 15 * time.Second,
		// Metrics name routes, rates and failures: enough to map a site, so
		// only the host itself may read them until the operator says otherwise.
		MetricsAllow: []string{"127.0.0.0/8", "::1"},
	}
}

// finish fills settings derived from others.
func (c *Config) finish() {
	if c.Database == "" {
		c.Database = filepath.Join(c.DataDir, "guildgate.db")
	}
	if c.Issuer == "" {
		port := "8443"
		if _, p, err := net.SplitHostPort(c.Addr); err == nil && p != "" {
			port = p
		}
		c.Issuer = "https://localhost:" + port
	}
}

// TLSSelfSigned reports whether serve should generate its own certificate.
func (c Config) TLSSelfSigned() bool {
	return c.TLSCert == "" && c.TLSKey == "" && len(c.TrustedProxies) == 0
}

// ServesTLS reports whether serve terminates TLS itself. Without a certificate
// but with trusted proxies, it listens in plain HTTP and believes only the
// proxies' X-Forwarded-Proto.
func (c Config) ServesTLS() bool { return c.TLSCert != "" || c.TLSSelfSigned() }

// SQLite reports whether Database names an SQLite file rather than a URL.
func (c Config) SQLite() bool {
	u, err := url.Parse(c.Database)
	return err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql")
}

// KeyDir is where the master key file lives: beside an SQLite database, so
// that every command naming the database finds the one key that sealed it,
// whatever its working directory; for PostgreSQL (or no database named
// yet, which means the one in the data directory), the data directory.
func (c Config) KeyDir() string {
	if c.Database != "" && c.SQLite() {
		return filepath.Dir(c.Database)
	}
	return c.DataDir
}

// Proxies parses TrustedProxies; Validate has already reported bad entries.
func (c Config) Proxies() []netip.Prefix { return prefixes(c.TrustedProxies) }

// MetricsAllowed parses MetricsAllow; Validate has already reported bad entries.
func (c Config) MetricsAllowed() []netip.Prefix { return prefixes(c.MetricsAllow) }

func prefixes(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := parsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// parsePrefix accepts a CIDR or a bare address (meaning that one host).
func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR or IP address", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
