package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// setting ties one Config field to its flag, environment variable and YAML key.
type setting struct {
	flag  string
	usage string
	field func(*Config) any // *string, *[]string, *time.Duration or *bool
}

var settings = []setting{
	{"addr", "listen address host:port", func(c *Config) any { return &c.Addr }},
	{"issuer", "issuer URL of the default tenant (default https://localhost:<port>)", func(c *Config) any { return &c.Issuer }},
	{"data-dir", "directory for the SQLite database, TLS certificate and keys", func(c *Config) any { return &c.DataDir }},
	{"database", "SQLite file path or postgres:// URL (default <data-dir>/guildgate.db)", func(c *Config) any { return &c.Database }},
	{"tls-cert", "PEM certificate file (default: self-signed for localhost)", func(c *Config) any { return &c.TLSCert }},
	{"tls-key", "PEM private key file", func(c *Config) any { return &c.TLSKey }},
	{"trusted-proxy", "CIDR of a TLS-terminating proxy whose X-Forwarded-Proto is believed (repeatable)", func(c *Config) any { return &c.TrustedProxies }},
	{"metrics-allow", "CIDR or address that may read /metrics (repeatable; default 127.0.0.0/8 and ::1)", func(c *Config) any { return &c.MetricsAllow }},
	{"log-level", "debug, info, warn or error", func(c *Config) any { return &c.LogLevel }},
	{"log-format", "json or text", func(c *Config) any { return &c.LogFormat }},
	{"session-idle", "sign members out after this long without activity", func(c *Config) any { return &c.SessionIdle }},
	{"session-absolute", "sign members out this long after sign-in, active or not", func(c *Config) any { return &c.SessionAbsolute }},
	{"shutdown-timeout", "how long in-flight requests may run after SIGTERM", func(c *Config) any { return &c.ShutdownTimeout }},
	{"allow-private-upstreams", "let upstream providers and back-channel logout URLs be at loopback or private addresses (an on-premises provider)",
		func(c *Config) any { return &c.AllowPrivateUpstreams }},
	{"smtp-url", "mail relay, smtp://user@host:587 (STARTTLS) or smtps://user@host:465; its password in GUILDGATE_SMTP_PASSWORD (default: send no mail)",
		func(c *Config) any { return &c.SMTPURL }},
	{"mail-from", `sender of Guildgate's mail, "Name <address>" (required with smtp-url)`, func(c *Config) any { return &c.MailFrom }},
}

// envName maps a flag name to its environment variable: trusted-proxy → GUILDGATE_TRUSTED_PROXY.
func envName(flagName string) string {
	return "GUILDGATE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// RegisterFlags adds every serve setting, plus --config, to fs.
func RegisterFlags(fs *flag.FlagSet) { register(fs, settings) }

// RegisterStoreFlags adds only what data commands need: --database and --config.
func RegisterStoreFlags(fs *flag.FlagSet) {
	for _, s := range settings {
		if s.flag == "database" || s.flag == "data-dir" {
			register(fs, []setting{s})
		}
	}
}

// RegisterMailFlags adds --smtp-url and --mail-from (`guildgate mail test`).
func RegisterMailFlags(fs *flag.FlagSet) {
	for _, s := range settings {
		if s.flag == "smtp-url" || s.flag == "mail-from" {
			register(fs, []setting{s})
		}
	}
}

func register(fs *flag.FlagSet, list []setting) {
	for _, s := range list {
		_, isBool := s.field(&Config{}).(*bool)
		fs.Var(&textValue{isBool: isBool}, s.flag, s.usage+" [$"+envName(s.flag)+"]")
	}
	if fs.Lookup("config") == nil {
		fs.String("config", "", "YAML configuration file [$GUILDGATE_CONFIG]")
	}
}

// textValue records raw flag text; Load converts it, so a bad duration is
// reported with every other problem instead of aborting flag parsing. Repeated
// flags accumulate (for --trusted-proxy). A boolean setting's flag needs no
// value: --allow-private-upstreams means true.
type textValue struct {
	vals   []string
	isBool bool
}

func (v *textValue) String() string     { return strings.Join(v.vals, ",") }
func (v *textValue) Set(s string) error { v.vals = append(v.vals, s); return nil }
func (v *textValue) IsBoolFlag() bool   { return v.isBool }

// Load builds the Config after fs.Parse. Flags that fs does not define are
// simply not consulted. It returns every problem at once.
func Load(fs *flag.FlagSet, getenv func(string) (string, bool)) (Config, error) {
	c := Default()
	var errs []error
	if path := configPath(fs, getenv); path != "" {
		if err := loadFile(&c, path); err != nil {
			return c, err
		}
		c.ConfigFile = path
	}
	for _, s := range settings {
		if raw, ok := getenv(envName(s.flag)); ok {
			errs = append(errs, assign(s, &c, []string{raw}, envName(s.flag)))
		}
	}
	if v, ok := getenv("GUILDGATE_MASTER_KEY"); ok {
		c.MasterKey = strings.TrimSpace(v)
	}
	if v, ok := getenv("GUILDGATE_SMTP_PASSWORD"); ok {
		c.SMTPPassword = v
	}
	fs.Visit(func(f *flag.Flag) {
		for _, s := range settings {
			if v, ok := f.Value.(*textValue); ok && s.flag == f.Name {
				errs = append(errs, assign(s, &c, v.vals, "--"+f.Name))
			}
		}
	})
	c.finish()
	errs = append(errs, c.Validate()...)
	return c, errors.Join(errs...)
}

func configPath(fs *flag.FlagSet, getenv func(string) (string, bool)) string {
	if f := fs.Lookup("config"); f != nil && f.Value.String() != "" {
		return f.Value.String()
	}
	p, _ := getenv("GUILDGATE_CONFIG")
	return p
}

func assign(s setting, c *Config, vals []string, source string) error {
	last := vals[len(vals)-1]
	switch p := s.field(c).(type) {
	case *string:
		*p = strings.TrimSpace(last)
	case *[]string: // repeated, comma-separated, or both
		*p = []string{} // set, even to nothing: an empty --metrics-allow allows no one
		for _, v := range strings.Split(strings.Join(vals, ","), ",") {
			if v = strings.TrimSpace(v); v != "" {
				*p = append(*p, v)
			}
		}
	case *time.Duration:
		d, err := time.ParseDuration(strings.TrimSpace(last))
		if err != nil {
			return fmt.Errorf("%s: %q is not a duration such as 30s, 12h", source, last)
		}
		*p = d
	case *bool:
		b, err := strconv.ParseBool(strings.TrimSpace(last))
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", source, last)
		}
		*p = b
	}
	return nil
}

func loadFile(c *Config, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // an unknown key is a typo the operator must hear about
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}
