package clients

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

var (
	uuidPattern   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43,}$`)
)

func TestCreate(t *testing.T) {
	f := newFixture(t)
	board := f.group("Board")
	in := web()
	in.PermittedGroups = []string{" board ", "BOARD"}
	in.BackchannelLogoutURI = "https://events.example/bc"
	in.GroupsClaim = true
	v := f.create(in)
	checks := map[string]bool{
		"id is a lower-case UUID":       uuidPattern.MatchString(v.ID),
		"secret is 256 bits, URL-safe":  secretPattern.MatchString(v.Secret),
		"one sealed secret":             len(v.Secrets) == 1 && strings.HasPrefix(v.Secrets[0].Ciphertext, "v1."),
		"RS256 by default":              v.IDTokenAlg == model.AlgRS256,
		"code and refresh by default":   slices.Equal(v.GrantTypes, []string{model.GrantAuthorizationCode, model.GrantRefreshToken}),
		"groups resolved once":          slices.Equal(v.PermittedGroups, []string{board.ID}),
		"group names shown":             slices.Equal(v.PermittedGroupNames, []string{"Board"}),
		"no rotation":                   v.SecretRotatingUntil.IsZero(),
		"stamped":                       v.CreatedAt.Equal(f.clock.Now()) && v.UpdatedAt.Equal(v.CreatedAt),
		"tenant":                        v.TenantID == f.tenant,
		"backchannel and groups claim":  v.BackchannelLogoutURI == in.BackchannelLogoutURI && v.GroupsClaim,
		"confidential unless asked for": !v.Public,
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("%s: %+v", what, v)
		}
	}
	got, err := f.svc.Get(context.Background(), f.tenant, strings.ToUpper(v.ID))
	if err != nil || got.Secret != v.Secret || !slices.Equal(got.RedirectURIs, v.RedirectURIs) || !got.CreatedAt.Equal(v.CreatedAt) {
		t.Fatalf("Get = %+v, %v; want what Create returned", got, err)
	}
}

// TestSecretNeverStoredInPlainText reads the database files themselves
// (the WAL too, where fresh rows live first).
func TestSecretNeverStoredInPlainText(t *testing.T) {
	f := newFixture(t)
	v := f.create(web())
	rotated, err := f.svc.RotateSecret(context.Background(), "cli", f.tenant, v.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	raw := dbBytes(t, f.db)
	if !bytes.Contains(raw, []byte(v.ID)) {
		t.Fatal("the client row is not in the files read; the test would prove nothing")
	}
	for _, s := range []string{v.Secret, rotated.Secret} {
		if bytes.Contains(raw, []byte(s)) {
			t.Fatalf("secret %q found in plain text in the database", s)
		}
	}
	events, err := f.st.Audit().List(context.Background(), f.tenant, store.AuditQuery{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(events.Items) != 2 || events.Items[0].Action != "client.rotate_secret" || events.Items[1].Action != "client.create" {
		t.Fatalf("audit = %+v", events.Items)
	}
}

// dbBytes is every file of the SQLite database, main file, WAL and all.
func dbBytes(t *testing.T, db string) []byte {
	t.Helper()
	paths, _ := filepath.Glob(db + "*")
	var all []byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// TestCiphertextIsBoundToItsRow copies one client's sealed secret into
// another's row: it must not decrypt there.
func TestCiphertextIsBoundToItsRow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.create(web()), f.create(web())
	_, err := f.st.Clients().Update(ctx, f.tenant, b.ID, func(c model.Client) (model.Client, error) {
		c.Secrets = a.Secrets
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, f.tenant, b.ID); !errors.Is(err, secrets.ErrDecrypt) {
		t.Fatalf("Get with a moved ciphertext: %v, want ErrDecrypt", err)
	}
	if _, err := f.svc.Authenticate(ctx, f.tenant, b.ID, a.Secret); err == nil || errors.Is(err, ErrInvalidClient) {
		t.Fatalf("Authenticate with a moved ciphertext: %v; want a server-side error", err)
	}
	if _, err := f.svc.Authenticate(ctx, f.tenant, a.ID, a.Secret); err != nil {
		t.Fatalf("the intact client must still work: %v", err)
	}
}

func TestUpdate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.group("Board")
	v := f.create(web())
	f.clock.Add(time.Minute)
	name, uris, groups, alg := "Events", []string{"https://events.example/cb", "http://localhost:3000/cb"}, []string{"Board"}, "HS256"
	got, err := f.svc.Update(ctx, "cli", f.tenant, " "+strings.ToUpper(v.ID)+" ", Patch{Name: &name, RedirectURIs: &uris, PermittedGroups: &groups, IDTokenAlg: &alg})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || !slices.Equal(got.RedirectURIs, uris) || !slices.Equal(got.PermittedGroupNames, groups) ||
		got.IDTokenAlg != "HS256" || got.Secret != v.Secret || !got.UpdatedAt.After(got.CreatedAt) {
		t.Fatalf("Update = %+v", got)
	}
	// Rules between fields are checked on the client as it would become.
	public := true
	_, err = f.svc.Update(ctx, "cli", f.tenant, v.ID, Patch{Public: &public})
	if lines := problemsOf(t, err); !hasProblem(lines, "HS256 is keyed with the client secret") {
		t.Fatalf("public HS256 client: %q", lines)
	}
	unknown := []string{"Nobody"}
	_, err = f.svc.Update(ctx, "cli", f.tenant, v.ID, Patch{PermittedGroups: &unknown, Name: new(string)})
	if lines := problemsOf(t, err); len(lines) != 2 {
		t.Fatalf("every problem at once: %q", lines)
	}
	after, _ := f.svc.Get(ctx, f.tenant, v.ID)
	if after.Name != name || after.Public {
		t.Fatalf("a refused update changed the client: %+v", after)
	}
	if _, err := f.svc.Update(ctx, "cli", f.tenant, "nope", Patch{Name: &name}); !isNotFound(err) {
		t.Fatalf("unknown id: %v", err)
	}
}

// TestPublicToggle: a public client has no secret; made confidential again,
// it gets a new one rather than the old one back.
func TestPublicToggle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.create(web())
	yes, no := true, false
	pub, err := f.svc.Update(ctx, "cli", f.tenant, v.ID, Patch{Public: &yes})
	if err != nil || pub.Secret != "" || len(pub.Secrets) != 0 {
		t.Fatalf("made public: %+v, %v", pub, err)
	}
	conf, err := f.svc.Update(ctx, "cli", f.tenant, v.ID, Patch{Public: &no})
	if err != nil || !secretPattern.MatchString(conf.Secret) || conf.Secret == v.Secret {
		t.Fatalf("made confidential: %+v, %v", conf, err)
	}
}

func TestDeleteAndList(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.create(web())
	f.clock.Add(time.Second) // the store lists in order of registration
	b := f.create(Input{Name: "Batch", GrantTypes: []string{"client_credentials"}})
	if _, err := f.svc.Lookup(ctx, f.tenant, a.ID); err != nil { // warm the cache
		t.Fatal(err)
	}
	list, err := f.svc.List(ctx, f.tenant)
	if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].Secret != b.Secret {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if err := f.svc.Delete(ctx, "cli", f.tenant, strings.ToUpper(a.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Lookup(ctx, f.tenant, a.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("Lookup right after Delete on the same replica: %v", err)
	}
	if err := f.svc.Delete(ctx, "cli", f.tenant, a.ID); !isNotFound(err) {
		t.Fatalf("second Delete: %v", err)
	}
	if _, err := f.svc.Get(ctx, f.tenant, a.ID); !isNotFound(err) || !strings.Contains(err.Error(), a.ID) {
		t.Fatalf("Get deleted: %v", err)
	}
}

func isNotFound(err error) bool {
	_, ok := errors.AsType[*problem.NotFound](err)
	return ok && errors.Is(err, model.ErrNotFound)
}
