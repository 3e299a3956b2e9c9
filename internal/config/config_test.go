package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return Load(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "guildgate.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsWorkForANewcomer(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Addr: "127.0.0.1:8443", Issuer: "https://localhost:8443", DataDir: "guildgate-data",
		Database: filepath.Join("guildgate-data", "guildgate.db"), LogLevel: "info", LogFormat: "json",
		SessionIdle: 12 * time.Hour, SessionAbsolute: 168 * time.Hour, ShutdownTimeout: 15 * time.Second}
	if c.Addr != want.Addr || c.Issuer != want.Issuer || c.Database != want.Database || c.SessionIdle != want.SessionIdle ||
		c.SessionAbsolute != want.SessionAbsolute || c.ShutdownTimeout != want.ShutdownTimeout || c.LogFormat != want.LogFormat {
		t.Fatalf("defaults = %+v\nwant %+v", c, want)
	}
	if !c.ServesTLS() || !c.TLSSelfSigned() || !c.SQLite() {
		t.Fatal("a newcomer gets self-signed TLS on SQLite")
	}
}

func TestIssuerFollowsAddrPort(t *testing.T) {
	c, err := load(t, []string{"--addr", "127.0.0.1:9443"}, nil)
	if err != nil || c.Issuer != "https://localhost:9443" {
		t.Fatalf("issuer = %q, %v", c.Issuer, err)
	}
}

func TestPrecedenceFlagsOverEnvOverFile(t *testing.T) {
	file := writeFile(t, "addr: 127.0.0.1:1111\nlog_level: warn\nsession_idle: 1h\ndatabase: file.db\n")
	env := map[string]string{"GUILDGATE_LOG_LEVEL": "error", "GUILDGATE_DATABASE": "env.db"}
	c, err := load(t, []string{"--config", file, "--database", "flag.db"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:1111" || c.SessionIdle != time.Hour {
		t.Errorf("file values lost: %+v", c)
	}
	if c.LogLevel != "error" {
		t.Errorf("env should beat file: log level %q", c.LogLevel)
	}
	if c.Database != "flag.db" {
		t.Errorf("flag should beat env: database %q", c.Database)
	}
	if c.ConfigFile != file {
		t.Errorf("ConfigFile = %q", c.ConfigFile)
	}
}

func TestConfigFileFromEnv(t *testing.T) {
	file := writeFile(t, "log_format: text\n")
	c, err := load(t, nil, map[string]string{"GUILDGATE_CONFIG": file})
	if err != nil || c.LogFormat != "text" {
		t.Fatalf("log format %q, %v", c.LogFormat, err)
	}
}

func TestUnknownFileKeyIsNamed(t *testing.T) {
	_, err := load(t, []string{"--config", writeFile(t, "addr: 127.0.0.1:1\nsesion_idle: 1h\n")}, nil)
	if err == nil || !strings.Contains(err.Error(), "sesion_idle") {
		t.Fatalf("err = %v; want it to name the unknown key", err)
	}
}

func TestTrustedProxiesRepeatableAndCommaSeparated(t *testing.T) {
	c, err := load(t, []string{"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "192.0.2.7"}, nil)
	if err != nil || len(c.Proxies()) != 2 || c.Proxies()[1].String() != "192.0.2.7/32" {
		t.Fatalf("proxies = %v, %v", c.Proxies(), err)
	}
	if c.ServesTLS() {
		t.Fatal("proxies without a certificate mean plain HTTP behind the proxy")
	}
	c, err = load(t, nil, map[string]string{"GUILDGATE_TRUSTED_PROXY": "10.0.0.0/8, ::1"})
	if err != nil || len(c.Proxies()) != 2 {
		t.Fatalf("env proxies = %v, %v", c.Proxies(), err)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	_, err := load(t, []string{"--addr", "nope", "--issuer", "http://x", "--tls-cert", "c.pem",
		"--trusted-proxy", "bogus", "--log-level", "loud", "--session-idle", "forever"}, nil)
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"addr", "issuer", "tls-cert and tls-key", "trusted-proxy", "log-level", "--session-idle"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

func TestIssuerRules(t *testing.T) {
	for issuer, ok := range map[string]bool{
		"https://sso.example.org": true, "https://sso.example.org/tenant": true,
		"http://sso.example.org": false, "https://sso.example.org/": false,
		"https://sso.example.org?x=1": false, "https://u:p@sso.example.org": false, "sso.example.org": false,
	} {
		if err := checkIssuer(issuer); (err == nil) != ok {
			t.Errorf("checkIssuer(%q) = %v", issuer, err)
		}
	}
}

func TestPostgresURLIsNotSQLite(t *testing.T) {
	c, err := load(t, []string{"--database", "postgres://u@127.0.0.1/db"}, nil)
	if err != nil || c.SQLite() {
		t.Fatalf("SQLite() = %v, %v", c.SQLite(), err)
	}
}

func TestStoreFlagsOnly(t *testing.T) {
	fs := flag.NewFlagSet("member", flag.ContinueOnError)
	RegisterStoreFlags(fs)
	if err := fs.Parse([]string{"--database", "x.db"}); err != nil {
		t.Fatal(err)
	}
	if fs.Lookup("addr") != nil {
		t.Fatal("data commands must not take serve's flags")
	}
	c, err := Load(fs, func(string) (string, bool) { return "", false })
	if err != nil || c.Database != "x.db" {
		t.Fatalf("database = %q, %v", c.Database, err)
	}
}

func TestMasterKeyOnlyFromEnvAndNeverPrinted(t *testing.T) {
	const key = "c2VjcmV0LW1hc3Rlci1rZXktbWF0ZXJpYWwtMzItYnl0ZXMh"
	c, err := load(t, nil, map[string]string{"GUILDGATE_MASTER_KEY": key})
	if err != nil || c.MasterKey != key {
		t.Fatalf("master key %q, %v", c.MasterKey, err)
	}
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(out, key) {
			t.Fatalf("config printing reveals the master key: %s", out)
		}
	}
	if _, err := load(t, []string{"--config", writeFile(t, "master_key: x\n")}, nil); err == nil {
		t.Fatal("the YAML file must not accept a master key")
	}
}

// TestAllowPrivateUpstreams: off unless the operator says so, through the
// bare flag, the environment or the file; a word that is not a boolean is
// an error naming the setting.
func TestAllowPrivateUpstreams(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want bool
	}{
		{nil, nil, false},
		{[]string{"--allow-private-upstreams"}, nil, true},
		{[]string{"--allow-private-upstreams=false"}, map[string]string{"GUILDGATE_ALLOW_PRIVATE_UPSTREAMS": "true"}, false},
		{nil, map[string]string{"GUILDGATE_ALLOW_PRIVATE_UPSTREAMS": "1"}, true},
		{[]string{"--config", writeFile(t, "allow_private_upstreams: true\n")}, nil, true},
	} {
		c, err := load(t, tc.args, tc.env)
		if err != nil || c.AllowPrivateUpstreams != tc.want {
			t.Errorf("%v %v: %v, %v; want %v", tc.args, tc.env, c.AllowPrivateUpstreams, err, tc.want)
		}
	}
	_, err := load(t, nil, map[string]string{"GUILDGATE_ALLOW_PRIVATE_UPSTREAMS": "sometimes"})
	if err == nil || !strings.Contains(err.Error(), "GUILDGATE_ALLOW_PRIVATE_UPSTREAMS") {
		t.Fatalf("err = %v", err)
	}
}

// TestMailSettings: the relay from a flag, the environment or the file; its
// password from the environment only and never printed; a relay without a
// sender, or a password in the URL, is refused without echoing it.
func TestMailSettings(t *testing.T) {
	const pw = "relay-password-123"
	c, err := load(t, []string{"--smtp-url", "smtp://sso@mail.example:587", "--mail-from", "Guild <sso@guild.example>"},
		map[string]string{"GUILDGATE_SMTP_PASSWORD": pw})
	if err != nil || c.SMTPURL != "smtp://sso@mail.example:587" || c.MailFrom != "Guild <sso@guild.example>" || c.SMTPPassword != pw {
		t.Fatalf("%+v %v", c, err)
	}
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(out, pw) {
			t.Fatalf("config printing reveals the SMTP password: %s", out)
		}
	}
	c, err = load(t, nil, map[string]string{"GUILDGATE_SMTP_URL": "smtps://mail.example", "GUILDGATE_MAIL_FROM": "sso@guild.example"})
	if err != nil || c.SMTPURL != "smtps://mail.example" {
		t.Fatalf("from the environment: %+v %v", c, err)
	}
	for _, tc := range []struct{ args []string }{
		{[]string{"--smtp-url", "smtp://mail.example"}},
		{[]string{"--smtp-url", "smtp://u:" + pw + "@mail.example", "--mail-from", "a@b.example"}},
		{[]string{"--smtp-url", "http://mail.example", "--mail-from", "a@b.example"}},
		{[]string{"--mail-from", "not an address"}},
		{[]string{"--mail-from", "a@b.example\r\nBcc: c@d.example"}},
	} {
		_, err := load(t, tc.args, nil)
		if err == nil || strings.Contains(err.Error(), pw) {
			t.Errorf("%q: %v", tc.args, err)
		}
	}
	if _, err := load(t, []string{"--config", writeFile(t, "smtp_password: x\n")}, nil); err == nil {
		t.Fatal("the YAML file must not accept the SMTP password")
	}
}
