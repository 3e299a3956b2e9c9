package layers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/guildgate/guildgate/"

// A layer is how far up the stack a package sits. A package may import
// packages of its own layer or of a lower one, never a higher one, with two
// further rules: a surface imports no other surface (what two surfaces share
// moves down to a rule or a leaf), and only test-only code imports test-only
// code.
type layer int

const (
	leaf     layer = iota // vocabulary, data types and plumbing: imports other leaves at most
	storage               // the storage contract and its one implementation
	rules                 // services: what is allowed and what must happen, over the store
	surface               // HTTP handlers; a surface never imports another one
	wiring                // builds the rules once for the roots; imports no surface, and no surface imports it
	root                  // composition: the app and the command line that starts it
	binary                // a main package
	testOnly              // test harnesses and fakes; never in a binary
)

func (l layer) String() string {
	return [...]string{"leaf", "storage", "rules", "surface", "wiring", "root", "binary", "test-only"}[l]
}

// place is a package's layer and, for surfaces, the surface it belongs to:
// packages of one surface (the admin console and the admin API) may import
// each other.
type place struct {
	layer   layer
	surface string
}

// packages places every package of the module (paths relative to it).
//
// To classify a new package, ask what it would need to import and who
// imports it, and pick the lowest layer that fits:
//   - leaf: no storage and no rules; data types, a protocol's vocabulary,
//     crypto or HTTP plumbing any layer may use (model, oauth, httpx, ui).
//   - storage: the store contract and its implementation only.
//   - rules: a service that decides something and may read or write the
//     store (directory, clients, keys, linking): the CLI, the admin API and
//     the protocol endpoints all call it, so it knows no HTTP surface.
//   - surface: serves HTTP routes; give it its own surface name, or the name
//     of the surface it is a part of.
//   - wiring: builds rules once for the roots (services): a handler gets
//     the services it uses from the root, never the set of them.
//   - root: builds the others (app) or drives them from a shell (cli).
//   - testOnly: imported by tests only (harnesses, fakes, conformance).
//
// If the new package must import a surface's code, that code belongs a layer
// lower: move it (see returnto and connections.CallbackPath). Entries for
// packages that do not exist (yet) are ignored.
var packages = map[string]place{
	"cmd/guildgate":       {layer: binary},
	"cmd/guildgate-bench": {layer: binary},

	"internal/app": {layer: root},
	"internal/cli": {layer: root},

	"internal/services": {layer: wiring},

	"internal/account":         {surface, "account"},
	"internal/accountsecurity": {surface, "account"},
	"internal/admin":           {surface, "admin"},
	"internal/admin/api":       {surface, "admin"},
	"internal/brandassets":     {surface, "brandassets"},
	"internal/admin/console":   {surface, "admin"},
	"internal/federation":      {surface, "federation"},
	"internal/legacysso":       {surface, "legacysso"},
	"internal/login":           {surface, "login"},
	"internal/oidc":            {surface, "oidc"},
	"internal/samlidp":         {surface, "samlidp"},
	"internal/scim":            {surface, "scim"},

	"internal/admin/apikeys":    {layer: rules},
	"internal/admin/memberscsv": {layer: rules},
	"internal/admin/signing":    {layer: rules},
	"internal/auditlog":         {layer: rules},
	"internal/clients":          {layer: rules},
	"internal/connections":      {layer: rules},
	"internal/directory":        {layer: rules},
	"internal/keys":             {layer: rules},
	"internal/linking":          {layer: rules},
	"internal/mail":             {layer: rules},
	"internal/mfa":              {layer: rules},
	"internal/notices":          {layer: rules},
	"internal/migrate":          {layer: rules},
	"internal/onetime":          {layer: rules},
	"internal/outbox":           {layer: rules},
	"internal/passkeys":         {layer: rules},
	"internal/samlapps":         {layer: rules},
	"internal/scimtokens":       {layer: rules},
	"internal/session":          {layer: rules},
	"internal/signinpolicy":     {layer: rules},
	"internal/tenancy":          {layer: rules},
	"internal/throttle":         {layer: rules},
	"internal/tokens":           {layer: rules},
	"internal/upstream/oidc":    {layer: rules},
	"internal/views":            {layer: rules},
	"internal/webhooks":         {layer: rules},

	"internal/store":          {layer: storage},
	"internal/store/sqlstore": {layer: storage},

	"internal/arrival":    {layer: leaf},
	"internal/bench":      {layer: leaf},
	"internal/branding":   {layer: leaf},
	"internal/certs":      {layer: leaf},
	"internal/clientkeys": {layer: leaf},
	"internal/dpop":       {layer: leaf}, // DPoP proof checks: crypto plumbing
	"internal/gctune":     {layer: leaf},
	"internal/config":     {layer: leaf},
	"internal/httpx":      {layer: leaf},
	"internal/i18n":       {layer: leaf},
	"internal/ids":        {layer: leaf},
	"internal/jwsig":      {layer: leaf},
	"internal/inputs":     {layer: leaf},
	"internal/metrics":    {layer: leaf},
	"internal/model":      {layer: leaf},
	"internal/oauth":      {layer: leaf},
	"internal/outbound":   {layer: leaf},
	"internal/partners":   {layer: leaf},
	"internal/password":   {layer: leaf},
	"internal/problem":    {layer: leaf},
	"internal/returnto":   {layer: leaf},
	"internal/saml":       {layer: leaf},
	"internal/secrets":    {layer: leaf},
	"internal/ui":         {layer: leaf},
	"internal/upstream":   {layer: leaf},
	"internal/useragent":  {layer: leaf},

	"interop":                         {layer: testOnly},
	"internal/admin/e2e":              {layer: testOnly},
	"internal/golden":                 {layer: testOnly},
	"internal/layers":                 {layer: testOnly},
	"internal/saml/samltest":          {layer: testOnly},
	"internal/store/storetest":        {layer: testOnly},
	"internal/testenv":                {layer: testOnly},
	"internal/upstream/oidc/oidctest": {layer: testOnly},
}

// testOnlyStd are standard packages a binary has no use for.
var testOnlyStd = []string{"testing", "net/http/httptest", "testing/fstest", "testing/iotest"}

type pkg struct {
	ImportPath string
	Doc        string
	GoFiles    []string
	Imports    []string
	Standard   bool
}

// list runs go list over args from the module root, decoding its stream of
// JSON objects.
func list(t *testing.T, args ...string) []pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json=ImportPath,Doc,GoFiles,Imports,Standard"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("go list %v: %v", args, err)
	}
	var pkgs []pkg
	for dec := json.NewDecoder(strings.NewReader(string(out))); ; {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			return pkgs
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
}

// ours is the module-relative path of an import path of this module.
func ours(path string) (string, bool) {
	if rel, ok := strings.CutPrefix(path, module); ok {
		return rel, true
	}
	return "", false
}

// edgeProblem says why from may not import to, or "" when it may.
func edgeProblem(from, to place) string {
	switch {
	case to.layer == testOnly && from.layer != testOnly:
		return "only test code may import test-only code"
	case from.layer == testOnly:
		return ""
	case to.layer > from.layer:
		return fmt.Sprintf("a %s package may not import a %s package", from.layer, to.layer)
	case from.layer == wiring && to.layer == surface:
		return "the services are built from rules alone, never from a surface"
	case from.layer == surface && to.layer == surface && from.surface != to.surface:
		return "surfaces never import each other: move what they share down a layer"
	}
	return ""
}

// TestLayers fails on every import that crosses a line of STYLE.md, and on
// every package the table does not place.
func TestLayers(t *testing.T) {
	for _, p := range list(t, "-deps", "./...") {
		from, ok := ours(p.ImportPath)
		if !ok {
			continue
		}
		fp, ok := packages[from]
		if !ok {
			t.Errorf("%s has no layer: add it to packages in internal/layers/layers_test.go (the comment there says how to choose)", from)
			continue
		}
		for _, imp := range p.Imports {
			to, ok := ours(imp)
			if !ok {
				continue
			}
			tp, ok := packages[to]
			if !ok {
				continue // reported as a package of its own
			}
			if why := edgeProblem(fp, tp); why != "" {
				t.Errorf("%s (%s) imports %s (%s): %s", from, fp.layer, to, tp.layer, why)
			}
		}
	}
}

// TestBinariesHoldNoTestCode: test harnesses, fakes and the testing package
// stay out of what ships, whatever imports them.
func TestBinariesHoldNoTestCode(t *testing.T) {
	for path, pl := range packages {
		if pl.layer != binary {
			continue
		}
		if _, err := os.Stat("../../" + path); err != nil {
			continue // listed ahead of its arrival
		}
		for _, p := range list(t, "-deps", "./"+path) {
			rel, isOurs := ours(p.ImportPath)
			if (isOurs && packages[rel].layer == testOnly) || slices.Contains(testOnlyStd, p.ImportPath) {
				t.Errorf("the binary %s holds %s, which is test-only", path, p.ImportPath)
			}
		}
	}
}

// TestDocComments: every package opens with a comment that says why it
// exists (STYLE.md habit 1).
func TestDocComments(t *testing.T) {
	for _, p := range list(t, "./...") {
		if len(p.GoFiles) == 0 {
			continue // tests only
		}
		if strings.TrimSpace(p.Doc) == "" {
			t.Errorf("%s has no package doc comment: say why it exists", p.ImportPath)
		}
	}
}

// TestEdgeRules pins the rules themselves, so that a change to edgeProblem
// that lets a forbidden edge through fails here even while the tree is
// clean.
func TestEdgeRules(t *testing.T) {
	tests := []struct {
		from, to string
		ok       bool
	}{
		{"internal/oidc", "internal/login", false},           // surfaces importing each other
		{"internal/admin/api", "internal/federation", false}, // likewise
		{"internal/admin/api", "internal/admin/apikeys", true},
		{"internal/admin", "internal/admin/console", true}, // parts of one surface
		{"internal/directory", "internal/oidc", false},     // rules importing a surface
		{"internal/store", "internal/directory", false},    // the store importing rules
		{"internal/store/sqlstore", "internal/store", true},
		{"internal/model", "internal/store", false}, // a leaf importing storage
		{"internal/app", "internal/testenv", false}, // test code reaching the binary
		{"internal/testenv", "internal/app", true},
		{"internal/cli", "internal/app", true},
		{"internal/linking", "internal/directory", true},
		{"internal/oidc", "internal/returnto", true},
		{"cmd/guildgate", "internal/cli", true},
		{"internal/app", "internal/services", true},
		{"internal/cli", "internal/services", true},
		{"internal/services", "internal/directory", true},
		{"internal/services", "internal/scim", false},      // wiring from a surface
		{"internal/admin/api", "internal/services", false}, // a surface taking the whole set
		{"internal/onetime", "internal/services", false},   // a rule taking the whole set
	}
	for _, tc := range tests {
		from, ok1 := packages[tc.from]
		to, ok2 := packages[tc.to]
		if !ok1 || !ok2 {
			t.Fatalf("%s or %s is not in the table", tc.from, tc.to)
		}
		if got := edgeProblem(from, to) == ""; got != tc.ok {
			t.Errorf("%s → %s allowed = %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
}
