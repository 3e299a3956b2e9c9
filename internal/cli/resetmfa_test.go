package cli

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

func TestResetMFA(t *testing.T) {
	h := newHarness(t)
	m := h.addMember("ada@example.org", "Ada")
	st, err := sqlstore.Open(t.Context(), h.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.Tenants().GetBySlug(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Factors().EnrollTOTP(t.Context(), model.TOTP{TenantID: tn.ID, MemberID: m.ID, Secret: "sealed", CreatedAt: time.Now()},
		[]string{"h1", "h2"}); err != nil {
		t.Fatal(err)
	}
	if out := h.ok("", "member", "reset-mfa", "ADA@example.org"); !strings.Contains(out, "removed the second factors of ada@example.org") {
		t.Fatalf("output %q", out)
	}
	if _, err := st.Factors().GetTOTP(t.Context(), tn.ID, m.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("authenticator still there: %v", err)
	}
	if codes, _ := st.Factors().RecoveryCodes(t.Context(), tn.ID, m.ID); len(codes) != 0 {
		t.Fatal("recovery codes still there")
	}
	var v jsonMember
	h.okJSON(&v, "", "member", "reset-mfa", "ada@example.org")
	if v.ID != m.ID {
		t.Fatalf("json %+v", v)
	}
	if out := h.ok("", "member", "reset-mfa", "ada@example.org"); !strings.Contains(out, "had no second factor") {
		t.Fatalf("second reset %q", out)
	}
	page, err := st.Audit().List(t.Context(), tn.ID, store.AuditQuery{Action: "mfa.reset"})
	if err != nil || len(page.Items) != 3 || page.Items[2].Detail["removed"] != "true" || page.Items[0].Target != "member:"+m.ID {
		t.Fatalf("audit %+v %v", page.Items, err)
	}
	h.fails(2, "no member with email nobody@example.org", "", "member", "reset-mfa", "nobody@example.org")
}
