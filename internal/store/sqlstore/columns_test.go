package sqlstore

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestParseListMatchesJSON: parseList's fast path reads what
// json.Unmarshal reads, and leaves everything else to it.
func TestParseListMatchesJSON(t *testing.T) {
	for _, s := range []string{`[]`, `["openid"]`, `["openid","email","groups"]`, `[""]`, `["",""]`,
		`["a", "b"]`, `["a\"b"]`, `["a\\b"]`, `["\u00e9"]`, `["é"]`, "[\"\xff\"]", `["a","b"`, `[`, `]`,
		`["a",1]`, `["a"],["b"]`, `[null]`, `["a""b"]`, `["a","]`, `["`, `[""]]`, "[\"a\tb\"]"} {
		checkParseList(t, s)
	}
}

func FuzzParseList(f *testing.F) {
	for _, s := range []string{`["openid","email"]`, `[]`, `["a\"b"]`, `["","x"]`} {
		f.Add(s)
	}
	f.Fuzz(checkParseList)
}

func checkParseList(t *testing.T, s string) {
	got, gotErr := parseList(s)
	var want []string
	wantErr := json.Unmarshal([]byte(s), &want)
	if len(want) == 0 {
		want = nil
	}
	if (gotErr != nil) != (wantErr != nil) || gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Errorf("%q: got %q, %v; want %q, %v", s, got, gotErr, want, wantErr)
	}
}

// TestJSONListMatchesJSON: jsonList writes what json.Marshal writes, but
// "[]" for nil.
func TestJSONListMatchesJSON(t *testing.T) {
	for _, l := range [][]string{{"openid"}, {"openid", "email", "groups"}, {""}, {"", ""}, {`a"b`}, {`a\b`},
		{"é", "<script>&", "\u2028", "\xff", "a\tb"}} {
		want, err := json.Marshal(l)
		if got := jsonList(l); err != nil || got != string(want) {
			t.Errorf("%q: got %s, want %s (%v)", l, got, want, err)
		}
	}
	if jsonList(nil) != "[]" || jsonList([]string{}) != "[]" {
		t.Error("an empty list is not []")
	}
}
