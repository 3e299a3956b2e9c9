package accountsecurity

import (
	"net/http"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

// TestPagesSpeakTheMembersLanguage: the security pages are in the language
// the member chose on their own page, as /account/ is, whatever their
// browser prefers; an application's ui_locales still comes first.
func TestPagesSpeakTheMembersLanguage(t *testing.T) {
	e := newEnv(t)
	ada := e.member("ada@example.org", "pwd", "otp", "mfa")
	if _, err := e.st.Members().Update(t.Context(), e.tenant.ID, ada.ID, func(m model.Member) (model.Member, error) {
		m.Language = "fr"
		return m, nil
	}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		Path:                         `<html lang="fr">`,
		"/account/security/passkeys": `<html lang="fr">`,
		"/account/security/passkeys/remove?id=" + ada.passkey.ID: `<html lang="fr">`,
		Path + "?ui_locales=de":                                  `<html lang="de">`,
	} {
		w := e.do(ada, http.MethodGet, path, nil)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("GET %s: status %d, want 200 with %s:\n%.400s", path, w.Code, want, w.Body)
		}
	}
}
