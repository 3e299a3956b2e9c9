package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestMetricsAllow: loopback by default; flags (repeated or comma-separated),
// GUILDGATE_METRICS_ALLOW and metrics_allow replace it; an empty value allows
// no one; a bad entry is named.
func TestMetricsAllow(t *testing.T) {
	prefixes := func(c Config) []string {
		var out []string
		for _, p := range c.MetricsAllowed() {
			out = append(out, p.String())
		}
		return out
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"default", nil, nil, []string{"127.0.0.0/8", "::1/128"}},
		{"repeated and comma-separated flags", []string{"--metrics-allow", "10.0.0.0/8,192.0.2.7", "--metrics-allow", "fd00::/8"},
			nil, []string{"10.0.0.0/8", "192.0.2.7/32", "fd00::/8"}},
		{"env", nil, map[string]string{"GUILDGATE_METRICS_ALLOW": "10.1.0.0/16, ::1"}, []string{"10.1.0.0/16", "::1/128"}},
		{"file", []string{"--config", writeFile(t, "metrics_allow: [192.0.2.0/24]\n")}, nil, []string{"192.0.2.0/24"}},
		{"empty allows no one", []string{"--metrics-allow", ""}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.args, tt.env)
			if err != nil || !slices.Equal(prefixes(c), tt.want) {
				t.Fatalf("metrics allow-list = %v, %v; want %v", prefixes(c), err, tt.want)
			}
		})
	}
	_, err := load(t, []string{"--metrics-allow", "10.0.0.0/8,nonsense"}, nil)
	if err == nil || !strings.Contains(err.Error(), `metrics-allow: "nonsense"`) {
		t.Fatalf("a bad entry: %v", err)
	}
}

// TestKeyDirBesideDatabase: the master key lives beside an SQLite database,
// wherever --data-dir points, so a command naming only --database finds it;
// PostgreSQL has no file to sit beside, so it is the data directory.
func TestKeyDirBesideDatabase(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "guildgate-data"},
		{[]string{"--data-dir", "/srv/gg"}, "/srv/gg"},
		{[]string{"--database", "/srv/gg/site.db"}, "/srv/gg"},
		{[]string{"--database", "/srv/gg/site.db", "--data-dir", "/elsewhere"}, "/srv/gg"},
		{[]string{"--database", "postgres://db.example/gg", "--data-dir", "/srv/gg"}, "/srv/gg"},
	}
	for _, tt := range tests {
		c, err := load(t, tt.args, nil)
		if err != nil || c.KeyDir() != filepath.FromSlash(tt.want) {
			t.Errorf("%q: key dir %q, %v; want %q", tt.args, c.KeyDir(), err, tt.want)
		}
	}
	c := Default() // built in code, as tests do: no database named means the data directory's
	c.DataDir = "/srv/gg"
	if c.KeyDir() != filepath.FromSlash("/srv/gg") {
		t.Errorf("an unfinished config's key dir %q", c.KeyDir())
	}
}
