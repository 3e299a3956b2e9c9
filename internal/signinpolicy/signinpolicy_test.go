package signinpolicy

import (
	"context"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

func TestRequestedLevel(t *testing.T) {
	for in, want := range map[string]struct {
		lvl Level
		ok  bool
	}{
		"": {LevelOne, false}, "mfa": {LevelMFA, true}, "phr": {LevelPhish, true}, "phr mfa": {LevelMFA, true},
		"urn:x mfa": {LevelMFA, true}, "urn:x": {LevelOne, false}, "  phr  ": {LevelPhish, true}, "MFA": {LevelOne, false},
	} {
		if lvl, ok := RequestedLevel(in); lvl != want.lvl || ok != want.ok {
			t.Errorf("%q: %v %v, want %v %v", in, lvl, ok, want.lvl, want.ok)
		}
	}
}

func TestACR(t *testing.T) {
	for _, tc := range []struct {
		amr  []string
		want string
	}{{nil, ""}, {[]string{"pwd"}, ""}, {[]string{"fed"}, ""}, {[]string{"pwd", "otp", "mfa"}, "mfa"},
		{[]string{"hwk", "user"}, "phr"}, {[]string{"swk", "user", "mfa"}, "phr"}, {[]string{"hwk"}, ""},
		{[]string{"pwd", "hwk", "mfa"}, "phr"}, {[]string{"pwd", "otp", "user"}, ""}} {
		if got := ACR(tc.amr); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.amr, got, tc.want)
		}
	}
}

// TestDecide is the policy table: what each policy, client setting and
// acr_values asks of each kind of session and member.
func TestDecide(t *testing.T) {
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tn := model.Tenant{ID: ids.NewUUID(), Slug: "t", Name: "T", Issuer: "https://t.example", CreatedAt: now, UpdatedAt: now}
	must(t, st.Tenants().Create(ctx, tn))
	mk := func(email string, admin, factor bool) model.Member {
		m := model.Member{ID: ids.NewUUID(), TenantID: tn.ID, Email: email, Name: email, Status: model.StatusCurrent,
			Admin: admin, CreatedAt: now, UpdatedAt: now}
		must(t, st.Members().Create(ctx, m))
		if factor {
			must(t, st.Factors().EnrollTOTP(ctx, model.TOTP{TenantID: tn.ID, MemberID: m.ID, Secret: "x", CreatedAt: now}, nil))
		}
		return m
	}
	plain, withFactor, admin := mk("a@x", false, false), mk("b@x", false, true), mk("c@x", true, false)
	withPasskey := mk("d@x", false, false)
	must(t, st.Passkeys().AddPasskey(ctx, model.Passkey{TenantID: tn.ID, MemberID: withPasskey.ID, ID: "k", Name: "Key",
		Record: []byte("{}"), CreatedAt: now}))
	strict := model.Client{ID: ids.NewUUID(), TenantID: tn.ID, Name: "S", CreatedAt: now, UpdatedAt: now}
	must(t, st.Clients().Create(ctx, strict))
	must(t, st.MFAPolicies().SetClient(ctx, tn.ID, strict.ID, true))
	c := &Checker{Policies: st.MFAPolicies(), MFA: &mfa.Service{Factors: st.Factors(), Passkeys: st.Passkeys()}}
	pwd, mfaS, fed := []string{"pwd"}, []string{"pwd", "otp", "mfa"}, []string{"fed"}
	passkey, pwdKey := []string{"hwk", "user"}, []string{"pwd", "swk", "mfa"}

	for _, tc := range []struct {
		name   string
		policy model.MFAPolicy
		m      model.Member
		amr    []string
		need   Need
		want   Verdict
	}{
		{"optional, nothing asked", model.MFAOptional, plain, pwd, Need{}, Allow},
		{"acr mfa, no factor", model.MFAOptional, plain, pwd, Need{ACR: LevelMFA}, Enrol},
		{"acr mfa, factor", model.MFAOptional, withFactor, pwd, Need{ACR: LevelMFA}, StepUp},
		{"acr mfa, mfa session", model.MFAOptional, withFactor, mfaS, Need{ACR: LevelMFA}, Allow},
		{"acr phr, no passkey", model.MFAOptional, withFactor, mfaS, Need{ACR: LevelPhish}, Unmet},
		{"acr phr, passkey not used", model.MFAOptional, withPasskey, pwd, Need{ACR: LevelPhish}, StepUp},
		{"acr phr, passkey sign-in", model.MFAOptional, withPasskey, passkey, Need{ACR: LevelPhish}, Allow},
		{"acr phr, password and passkey", model.MFAOptional, withPasskey, pwdKey, Need{ACR: LevelPhish}, Allow},
		{"acr mfa, passkey only member", model.MFAOptional, withPasskey, pwd, Need{ACR: LevelMFA}, StepUp},
		{"required, passkey sign-in", model.MFARequired, withPasskey, passkey, Need{}, Allow},
		{"admins, admin, passkey sign-in", model.MFAAdmins, admin, passkey, Need{}, Allow},
		{"client requires", model.MFAOptional, plain, pwd, Need{ClientID: strict.ID}, Enrol},
		{"client requires, fed", model.MFAOptional, plain, fed, Need{ClientID: strict.ID}, Allow},
		{"acr mfa, fed", model.MFAOptional, plain, fed, Need{ACR: LevelMFA}, Unmet},
		{"admins, member", model.MFAAdmins, plain, pwd, Need{}, Allow},
		{"admins, admin", model.MFAAdmins, admin, pwd, Need{}, Enrol},
		{"required, member", model.MFARequired, withFactor, pwd, Need{}, StepUp},
		{"required, mfa session", model.MFARequired, withFactor, mfaS, Need{}, Allow},
		{"required, fed", model.MFARequired, plain, fed, Need{}, Allow},
	} {
		must(t, st.MFAPolicies().SetTenant(ctx, tn.ID, tc.policy))
		d, err := c.Decide(ctx, tn, tc.m, model.Session{AMR: tc.amr}, tc.need)
		if err != nil || d.Verdict != tc.want {
			t.Errorf("%s: %v %v, want %v", tc.name, d.Verdict, err, tc.want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestDecisionPage(t *testing.T) {
	for v, want := range map[Verdict]string{Allow: "", StepUp: mfa.CodePath, Enrol: mfa.EnrolPath, Unmet: ""} {
		if got := (Decision{Verdict: v}).Page(); got != want {
			t.Errorf("Decision{%d}.Page() = %q, want %q", v, got, want)
		}
	}
}
