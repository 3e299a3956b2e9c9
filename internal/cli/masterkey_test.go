package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// keyShell runs the CLI as a shell in a working directory of its own, with
// exactly the GUILDGATE_* variables given, as an operator would on the
// server's host: nothing makes it share the server's data directory.
type keyShell struct {
	t   *testing.T
	cwd string
}

func newKeyShell(t *testing.T) *keyShell {
	t.Helper()
	cwd := t.TempDir()
	t.Chdir(cwd) // the default data directory, ./guildgate-data, is relative to it
	return &keyShell{t: t, cwd: cwd}
}

func (k *keyShell) run(env map[string]string, args ...string) result {
	k.t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb,
		func(name string) (string, bool) { v, ok := env[name]; return v, ok })
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// strayKey fails the test when the shell's working directory got a key.
func (k *keyShell) noStrayKey() {
	k.t.Helper()
	if _, err := os.Stat(filepath.Join(k.cwd, "guildgate-data", "master.key")); !errors.Is(err, fs.ErrNotExist) {
		k.t.Fatalf("a data command made a master key in its working directory (%v)", err)
	}
}

func clientSecretOf(t *testing.T, r result) string {
	t.Helper()
	var v struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil || v.Secret == "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	return v.Secret
}

// TestDataCommandFindsTheKeyBesideTheDatabase is finding 9: a command
// given only --database used to make ./guildgate-data/master.key and seal
// the new client's secret under it, which the server (whose key is in its
// data directory, beside the database) could never read.
func TestDataCommandFindsTheKeyBesideTheDatabase(t *testing.T) {
	k := newKeyShell(t)
	site := t.TempDir()
	db := filepath.Join(site, "guildgate.db")
	server := map[string]string{"GUILDGATE_DATA_DIR": site} // the server's own view: key and database in one place
	first := k.run(server, "client", "add", "--name", "First", "--redirect-uris", "https://a.example/cb", "--json")
	clientSecretOf(t, first)
	if _, err := os.Stat(filepath.Join(site, "master.key")); err != nil {
		t.Fatalf("the first sealed value made no key beside the database: %v", err)
	}

	added := k.run(nil, "client", "add", "--database", db, "--name", "Second", "--redirect-uris", "https://b.example/cb", "--json")
	secret := clientSecretOf(t, added)
	k.noStrayKey()
	var v struct {
		ID string `json:"client_id"`
	}
	_ = json.Unmarshal([]byte(added.stdout), &v)
	shown := k.run(server, "client", "show", v.ID, "--json")
	if got := clientSecretOf(t, shown); got != secret {
		t.Fatalf("the server's key reads secret %q; the command printed %q", got, secret)
	}
}

// TestNoSecondKeyForASealedDatabase: with its key gone, a database that
// holds sealed values gets no new key from any command; the refusal names
// where the key was looked for, and nothing is written.
func TestNoSecondKeyForASealedDatabase(t *testing.T) {
	k := newKeyShell(t)
	site := t.TempDir()
	env := map[string]string{"GUILDGATE_DATA_DIR": site} // serve's layout: the database and its key together
	clientSecretOf(t, k.run(env, "client", "add", "--name", "First", "--redirect-uris", "https://a.example/cb", "--json"))
	keyFile := filepath.Join(site, "master.key")
	if err := os.Rename(keyFile, filepath.Join(t.TempDir(), "backup.key")); err != nil {
		t.Fatal(err)
	}
	before := sealedRows(t, filepath.Join(site, "guildgate.db"))
	for _, args := range [][]string{
		{"client", "add", "--name", "Second", "--redirect-uris", "https://b.example/cb"},
		{"keys", "rotate"},
		{"connection", "list"},
	} {
		r := k.run(env, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, keyFile) || !strings.Contains(r.stderr, "GUILDGATE_MASTER_KEY") ||
			!strings.Contains(r.stderr, "encrypted secrets") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 naming %s and GUILDGATE_MASTER_KEY", args, r.code, r.stderr, keyFile)
		}
		if _, err := os.Stat(keyFile); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%q made a second key for a sealed database", args)
		}
		k.noStrayKey()
	}
	if after := sealedRows(t, filepath.Join(site, "guildgate.db")); after != before {
		t.Fatalf("a refused command changed what is sealed: %s, then %s", before, after)
	}
}

// sealedRows counts the default tenant's clients and signing keys, read
// straight from the database, which needs no master key.
func sealedRows(t *testing.T, db string) string {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ten, err := st.Tenants().GetBySlug(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	cs, err1 := st.Clients().List(t.Context(), ten.ID)
	ks, err2 := st.Keys().List(t.Context(), ten.ID)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d clients, %d signing keys", len(cs), len(ks))
}

// TestStrayKeyFromAnEarlierVersionIsNamed: the key an earlier version kept
// in the data directory is pointed at, not silently used or replaced.
func TestStrayKeyFromAnEarlierVersionIsNamed(t *testing.T) {
	k := newKeyShell(t)
	site, old := t.TempDir(), t.TempDir()
	env := map[string]string{"GUILDGATE_DATABASE": filepath.Join(site, "guildgate.db"), "GUILDGATE_DATA_DIR": old}
	clientSecretOf(t, k.run(env, "client", "add", "--name", "First", "--redirect-uris", "https://a.example/cb", "--json"))
	if err := os.Rename(filepath.Join(site, "master.key"), filepath.Join(old, "master.key")); err != nil {
		t.Fatal(err)
	}
	r := k.run(env, "client", "add", "--name", "Second", "--redirect-uris", "https://b.example/cb")
	if r.code != exitUsage || !strings.Contains(r.stderr, filepath.Join(old, "master.key")+", where earlier versions kept it") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestPostgresDataCommandNeverMakesAKey: a shell cannot know a PostgreSQL
// server's data directory, so it makes no key there, even on a fresh database.
func TestPostgresDataCommandNeverMakesAKey(t *testing.T) {
	k := newKeyShell(t)
	env := map[string]string{"GUILDGATE_DATABASE": storetest.PostgresDSN(t)}
	r := k.run(env, "client", "add", "--name", "First", "--redirect-uris", "https://a.example/cb")
	if r.code != exitUsage || !strings.Contains(r.stderr, "GUILDGATE_MASTER_KEY") ||
		!strings.Contains(r.stderr, filepath.Join("guildgate-data", "master.key")) {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	k.noStrayKey()
	env["GUILDGATE_MASTER_KEY"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	clientSecretOf(t, k.run(env, "client", "add", "--name", "First", "--redirect-uris", "https://a.example/cb", "--json"))
}
