package e2e

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// TestConsoleResetsSecondFactors: "Reset second factors" on a member's
// page removes their authenticator and recovery codes, audited with the
// administrator as actor.
func TestConsoleResetsSecondFactors(t *testing.T) {
	s, b := adminBrowser(t)
	id := addMember(t, s, "ada@example.org")
	st, err := sqlstore.Open(t.Context(), s.Config.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.Tenants().GetBySlug(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Factors().EnrollTOTP(t.Context(), model.TOTP{TenantID: tn.ID, MemberID: id, Secret: "sealed", CreatedAt: time.Now()},
		[]string{"h1"}); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/admin/members/" + id); !strings.Contains(p.body, `id="reset-mfa"`) {
		t.Fatalf("no reset button:\n%s", p.body)
	}
	wantSeeOther(t, b.postPage("/admin/members/"+id, "/admin/members/"+id+"/reset-mfa", url.Values{}), "/admin/members/"+id+"?done=mfa-reset")
	if _, err := st.Factors().GetTOTP(t.Context(), tn.ID, id); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("authenticator survived the reset: %v", err)
	}
	ev, err := st.Audit().List(t.Context(), tn.ID, store.AuditQuery{Action: "mfa.reset"})
	if err != nil || len(ev.Items) != 1 || !strings.HasPrefix(ev.Items[0].Actor, "member:") || ev.Items[0].Target != "member:"+id {
		t.Fatalf("audit %+v %v", ev.Items, err)
	}
	if p := b.post("/admin/members/"+id+"/reset-mfa", url.Values{}); p.status != 403 {
		t.Fatalf("without a form token: %d", p.status)
	}
}
