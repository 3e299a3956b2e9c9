// Package golden compares what a test produced with a file checked in
// beside it, and rewrites the file when the test runs with -update. Golden
// files pin contracts that other people's code reads (discovery, claims,
// JSON views, SAML metadata), so a change to one shows up in review as a
// diff of the file. Test-only.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files from what the tests produce")

// Compare fails t when got differs from the file at path; with -update it
// writes got there first.
func Compare(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update if the change is meant):\n%s", path, got)
	}
}

// JSON compares v as indented JSON, with <, > and & left as they are so
// the file reads plainly, with testdata/<name>.golden.json.
func JSON(t testing.TB, name string, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	Compare(t, filepath.Join("testdata", name+".golden.json"), buf.Bytes())
	return buf.Bytes()
}
