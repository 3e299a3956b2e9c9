package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/httpx"
)

// FuzzDecode: an admin API body (a key holder's bytes, or a stolen key's)
// never panics the strict decoder, and every refusal is a client error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"App","redirect_uris":["https://a/cb"]}`, `{"name":"A"}{}`, `{"nmae":"A"}`,
		`{"name":1}`, `{"redirect_uris":"x"}`, `[]`, ``, `{"name":"\ud800"}`, "{\"name\":\"\xff\"}", `{"a\"b":1}`} {
		f.Add(s, "application/json")
	}
	f.Add(`{}`, "text/plain")
	f.Add(`{}`, "application/json; charset=\"")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/clients", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		var in clientInput
		err := decode(r, &in)
		if err == nil {
			return
		}
		var he *httpx.Error
		if !errors.As(err, &he) || he.Status < 400 || he.Status >= 500 {
			t.Fatalf("body %q (%s): %v", body, contentType, err)
		}
	})
}
