package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/testenv"
)

// publicJWKS is one ES256 public key, as a partner would paste it.
const publicJWKS = `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","alg":"ES256",` +
	`"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`

// TestConsoleModernOAuthSettings: in Chromium an administrator opens the
// advanced settings of a new client, requires PAR and DPoP, allows the
// device grant and chooses private_key_jwt. Without keys the form comes
// back with the problem next to the field and the advanced settings open;
// with a JWK Set pasted it saves, the CLI's view shows every setting, and
// the edit form shows them again.
func TestConsoleModernOAuthSettings(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "admin@example.org", "--admin")
	b := openTab(t, s.URL)
	b.do("open the console", chromedp.Navigate(s.URL+"/admin/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	b.fill("#email", "admin@example.org")
	b.click(`form:has(#email) button[type="submit"]`, "#password")
	b.fill("#password", password)
	b.click(`form:has(#password) button[type="submit"]`, ".tiles")

	b.do("open the new-client form", chromedp.Navigate(s.URL+"/admin/clients/new"), chromedp.WaitVisible(chromedp.CSS("#name")))
	b.fill("#name", "Payments")
	b.fill("#redirect_uris", "https://pay.example/cb")
	b.click("#access-all", "#access-all:checked")
	b.click("details.advanced summary", "#token_auth_method")
	b.click(`input[name="require_par"]`, `input[name="require_par"]:checked`)
	b.click(`input[name="require_dpop"]`, `input[name="require_dpop"]:checked`)
	device := `input[name="grant_types"][value="` + model.GrantDeviceCode + `"]`
	b.click(device, device+":checked")
	b.do("choose private_key_jwt", chromedp.SetValue(chromedp.CSS("#token_auth_method"), model.AuthPrivateKeyJWT))
	b.click("#save", "#token_auth_method-problems .problems")
	if got := b.text("#token_auth_method-problems"); !strings.Contains(got, "needs the client's public keys") {
		t.Fatalf("problem shown: %q", got)
	}
	open := get(b, "is the advanced section open", chromedp.Evaluate[bool](`document.querySelector("details.advanced").open`))
	kept := get(b, "is require_par still checked", chromedp.Evaluate[bool](`document.querySelector('input[name="require_par"]').checked`))
	if !open || !kept {
		t.Fatalf("refused form: advanced open %v, require_par kept %v", open, kept)
	}
	b.screenshot("client-modern-oauth-refused.png")

	b.do("paste the key set", chromedp.SetValue(chromedp.CSS("#jwks"), publicJWKS))
	b.click("#save", ".client")
	id := b.text(".client code.client-id")

	var v struct {
		RequirePAR      bool     `json:"require_par"`
		RequireDPoP     bool     `json:"require_dpop"`
		TokenAuthMethod string   `json:"token_auth_method"`
		GrantTypes      []string `json:"grant_types"`
		JWKS            struct {
			Keys []struct {
				KID string `json:"kid"`
			} `json:"keys"`
		} `json:"jwks"`
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "client", "show", id, "--json")), &v); err != nil {
		t.Fatal(err)
	}
	if !v.RequirePAR || !v.RequireDPoP || v.TokenAuthMethod != model.AuthPrivateKeyJWT ||
		!strings.Contains(strings.Join(v.GrantTypes, " "), model.GrantDeviceCode) || len(v.JWKS.Keys) != 1 || v.JWKS.Keys[0].KID != "k1" {
		t.Fatalf("stored settings: %+v", v)
	}

	b.do("open the edit form", chromedp.Navigate(s.URL+"/admin/clients/"+id), chromedp.WaitVisible(chromedp.CSS("#name")))
	shown := get(b, "read the settings back", chromedp.Evaluate[[]any](`[
		document.querySelector('input[name="require_par"]').checked,
		document.querySelector('input[name="require_dpop"]').checked,
		document.querySelector('`+device+`').checked,
		document.querySelector('#token_auth_method').value,
		document.querySelector('#jwks').value.includes('"k1"')]`))
	if len(shown) != 5 || shown[0] != true || shown[1] != true || shown[2] != true || shown[3] != model.AuthPrivateKeyJWT || shown[4] != true {
		t.Fatalf("edit form shows %v", shown)
	}
}
