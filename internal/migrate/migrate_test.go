package migrate_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/migrate"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/testenv"
)

const (
	email    = "ada@example.org"
	password = "correct horse battery"
	redirect = "https://rp.example/cb"
)

// TestSQLiteToPostgres is the move a growing site makes: data made through
// the CLI and a real sign-in on SQLite, `guildgate migrate --from --to`,
// then a server on the PostgreSQL copy with the same master key. Every
// table holds the same rows; the CLI reads the same tenants, members,
// groups, clients (secrets decrypted), API keys and keys; the member's
// session, refresh token and the signing keys keep working.
func TestSQLiteToPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	dir := t.TempDir() // data directory: master key and certificate, kept across the move
	file := filepath.Join(dir, "guildgate.db")
	old := testenv.Start(t, testenv.SQLite, func(c *config.Config) { c.DataDir, c.Database = dir, file })
	rp := fill(t, file, dir)
	browser := old.Client(t)
	signIn(t, browser, old.URL)
	conf := oauthConfig(old.URL, rp)
	before := exchange(t, old.Client(t), conf, authorize(t, browser, conf))
	old.Stop()

	var results []migrate.TableResult
	out := cliOn(t, "", dir, "", "migrate", "--from", file, "--to", dsn, "--json")
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("migrate output: %v\n%s", err, out)
	}
	for _, r := range results {
		if r.Table == "members" && r.Rows != 2 || r.Table == "leases" && r.Skipped == "" {
			t.Errorf("migrate reported %+v", r)
		}
	}
	sameRows(t, open(t, file).DB(), open(t, dsn).DB(), "leases")
	for _, args := range [][]string{{"tenant", "list"}, {"member", "list"}, {"member", "list", "--tenant", "acme"},
		{"group", "list"}, {"client", "list"}, {"client", "list", "--tenant", "acme"}, {"apikey", "list"}, {"keys", "list"}} {
		args = append(args, "--json")
		if a, b := cliOn(t, file, dir, "", args...), cliOn(t, dsn, dir, "", args...); a != b {
			t.Errorf("guildgate %s differs after the move:\nsqlite   %s\npostgres %s", strings.Join(args, " "), a, b)
		}
	}

	moved := testenv.Start(t, testenv.Postgres, func(c *config.Config) { c.DataDir, c.Database, c.Issuer = dir, dsn, old.URL })
	again := moved.Client(t)
	again.Jar = browser.Jar // the session made on SQLite
	ctx := oidc.ClientContext(context.Background(), moved.Client(t))
	tok := exchange(t, moved.Client(t), conf, authorize(t, again, conf))
	provider, err := oidc.NewProvider(ctx, old.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: rp.ID}).Verify(ctx, tok.Extra("id_token").(string)); err != nil {
		t.Fatalf("ID token from the migrated store: %v", err)
	}
	before.Expiry = tok.Expiry.AddDate(0, 0, -1) // refresh the token issued on SQLite
	if _, err := conf.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, moved.Client(t)), before).Token(); err != nil {
		t.Fatalf("refresh token issued before the move: %v", err)
	}
	cliOn(t, dsn, dir, "", "group", "add", "Later") // audited: the audit id sequence moved on

	_, stderr, code := testenv.RunCLI(t, "", dir, "", "migrate", "--from", file, "--to", dsn)
	if code != 2 || !strings.Contains(stderr, "already holds data") {
		t.Fatalf("migrating into a used database: exit %d, %s", code, stderr)
	}
}

type creds struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
}

// fill makes a bit of everything through the CLI and returns the default
// tenant's relying party.
func fill(t *testing.T, file, dir string) creds {
	cli := func(stdin string, args ...string) string { return cliOn(t, file, dir, stdin, args...) }
	cli("", "tenant", "add", "acme", "--issuer", "https://sso.acme.example", "--name", "Acme", "--host", "login.acme.example")
	cli(password+"\n", "member", "add", "--email", email, "--name", "Ada", "--password-stdin")
	cli("", "member", "add", "--tenant", "acme", "--email", "bob@acme.example", "--name", "Bob", "--admin")
	cli("", "group", "add", "Staff", "--description", "paid staff")
	cli("", "group", "add-member", "Staff", email)
	var rp creds
	out := cli("", "client", "add", "--name", "RP", "--redirect-uris", redirect, "--groups", "Staff", "--json")
	if err := json.Unmarshal([]byte(out), &rp); err != nil {
		t.Fatal(err)
	}
	cli("", "client", "rotate-secret", rp.ID, "--overlap", "1h") // two sealed secrets
	out = cli("", "client", "show", rp.ID, "--json")
	if err := json.Unmarshal([]byte(out), &rp); err != nil {
		t.Fatal(err)
	}
	cli("", "client", "add", "--tenant", "acme", "--name", "Legacy", "--redirect-uris", "https://legacy.example/sso", "--id-token-alg", "HS256")
	cli("", "apikey", "create", "--name", "sync job")
	cli("", "keys", "rotate") // retired keys as well as current and next
	return rp
}

func oauthConfig(issuer string, rp creds) *oauth2.Config {
	return &oauth2.Config{ClientID: rp.ID, ClientSecret: rp.Secret, RedirectURL: redirect,
		Scopes: []string{"openid", "email", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: issuer + "/oauth/authorize", TokenURL: issuer + "/oauth/token",
			AuthStyle: oauth2.AuthStyleInHeader}}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func signIn(t *testing.T, browser *http.Client, base string) {
	t.Helper()
	token := ""
	for _, form := range []url.Values{nil, {"email": {email}}, {"email": {email}, "password": {password}}} {
		var resp *http.Response
		var err error
		if form == nil {
			resp, err = browser.Get(base + "/login")
		} else {
			form.Set("csrf_token", token)
			resp, err = browser.PostForm(base+"/login", form)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := csrfField.FindSubmatch(body); m != nil {
			token = html.UnescapeString(string(m[1]))
		} else if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: status %d, no form", resp.StatusCode)
		}
	}
}

// authorize runs the authorization request with PKCE; it returns the code
// and the verifier to redeem it with.
func authorize(t *testing.T, browser *http.Client, conf *oauth2.Config) [2]string {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	resp, err := browser.Get(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return [2]string{loc.Query().Get("code"), verifier}
}

func exchange(t *testing.T, rpClient *http.Client, conf *oauth2.Config, code [2]string) *oauth2.Token {
	t.Helper()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, rpClient)
	tok, err := conf.Exchange(ctx, code[0], oauth2.VerifierOption(code[1]))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("code exchange: %v (refresh token: %v)", err, tok != nil && tok.RefreshToken != "")
	}
	return tok
}
