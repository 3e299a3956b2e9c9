package sqlstore

import (
	"encoding/json"
	"testing"
)

// TestAuditDetailMatchesEncodingJSON: the hand-written detail column is
// what encoding/json wrote, for the shapes audit events carry and for
// strings that need escaping.
func TestAuditDetailMatchesEncodingJSON(t *testing.T) {
	many := map[string]string{}
	for _, k := range []string{"z", "a", "m", "b", "y", "c", "x", "d", "w", "e"} {
		many[k] = k + "<&>"
	}
	for _, d := range []map[string]string{nil, {}, {"client_id": "c-1", "grant_type": "refresh_token", "grant_id": "g"},
		{"reason": "quote \" backslash \\ tab \t nl \n", "é": "\u2028\u2029 \x01 <script>"}, {"": ""}, many,
		{"bad": "\xff\xfe"}} {
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := auditDetail(d); got != string(want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}

// BenchmarkAuditDetail is the detail of a token's audit row, by
// encoding/json and by hand.
func BenchmarkAuditDetail(b *testing.B) {
	d := map[string]string{"client_id": "3f9a1c7e5b", "grant_type": "refresh_token", "grant_id": "0a1b2c3d4e5f6a7b"}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("by-hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = auditDetail(d)
		}
	})
}
