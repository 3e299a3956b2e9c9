package directory

import (
	"errors"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

func ptr[T any](v T) *T { return &v }

// problemsOf flattens a validation error to "field: message" strings, or
// fails the test when err is some other kind.
func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *problem.Invalid
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *problem.Invalid", err, err)
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.String())
	}
	return out
}

// wantProblems checks that each want is a substring of one problem, and that
// there are exactly as many problems as wants.
func wantProblems(t *testing.T, err error, want ...string) {
	t.Helper()
	got := problemsOf(t, err)
	if len(got) != len(want) {
		t.Fatalf("problems = %q, want %d matching %q", got, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
		}
	}
}

func TestMemberInputValidate(t *testing.T) {
	ok := MemberInput{Email: "ada@example.org", Name: "Ada"}
	with := func(f func(*MemberInput)) MemberInput { in := ok; f(&in); return in }
	tests := []struct {
		name string
		in   MemberInput
		want []string
	}{
		{"minimal", ok, nil},
		{"trimmed", MemberInput{Email: "  ada@example.org ", Name: " Ada "}, nil},
		{"dot-free domain", with(func(in *MemberInput) { in.Email = "root@localhost" }), nil},
		{"every status", with(func(in *MemberInput) { in.Status = ptr(model.StatusGracePeriod) }), nil},
		{"missing email and name", MemberInput{}, []string{"email: is required", "name: is required"}},
		{"no at", with(func(in *MemberInput) { in.Email = "ada.example.org" }), []string{`email: "ada.example.org" is not a valid email`}},
		{"display name", with(func(in *MemberInput) { in.Email = "Ada <ada@example.org>" }), []string{"email: "}},
		{"angle brackets", with(func(in *MemberInput) { in.Email = "<ada@example.org>" }), []string{"email: "}},
		{"comment", with(func(in *MemberInput) { in.Email = "ada@example.org (Ada)" }), []string{"email: "}},
		{"two ats", with(func(in *MemberInput) { in.Email = "a@b@example.org" }), []string{"email: "}},
		{"domain literal", with(func(in *MemberInput) { in.Email = "ada@[192.0.2.1]" }), []string{"not an IP address literal"}},
		{"too long", with(func(in *MemberInput) { in.Email = strings.Repeat("a", 250) + "@x.org" }), []string{"email: must be at most 254"}},
		{"unknown status", with(func(in *MemberInput) { in.Status = ptr(model.MemberStatus("gold")) }), []string{`status: "gold" is not one of current, grace_period, inheriting, expired, non_member`}},
		{"legacy id too long", with(func(in *MemberInput) { in.LegacyID = strings.Repeat("9", 256) }), []string{"legacy_id: must be at most 255"}},
		{"newline in name", with(func(in *MemberInput) { in.Name = "Ada\nLovelace" }), []string{"name: must not contain control characters"}},
		{"short password", with(func(in *MemberInput) { in.Password = "short" }), []string{"password: password must be at least 8"}},
		// Refused rather than repaired, so the CLI and the API answer alike.
		{"email with a trailing newline", with(func(in *MemberInput) { in.Email = "ada@example.org\n" }), []string{`email: "ada@example.org\n" must not contain control characters`}},
		{"name with a trailing newline", with(func(in *MemberInput) { in.Name = "Ada\n" }), []string{"name: must not contain control characters"}},
		{"label starting with a hyphen", with(func(in *MemberInput) { in.Email = "ada@-example.org" }), []string{`the label "-example" starts or ends with a hyphen`}},
		{"label ending with a hyphen", with(func(in *MemberInput) { in.Email = "ada@example-.org" }), []string{`the label "example-" starts or ends`}},
		{"empty label", with(func(in *MemberInput) { in.Email = "ada@example..org" }), []string{"email: "}},
		{"underscore in the domain", with(func(in *MemberInput) { in.Email = "ada@ex_ample.org" }), []string{`the label "ex_ample" holds a character other than`}},
		{"label too long", with(func(in *MemberInput) { in.Email = "ada@" + strings.Repeat("a", 64) + ".org" }), []string{"longer than 63"}},
		{"internationalised domain", with(func(in *MemberInput) { in.Email = "ada@bücher.example" }), nil},
		{"status given empty", with(func(in *MemberInput) { in.Status = ptr(model.MemberStatus("")) }), []string{`status: "" is not one of`}},
		{"a language we speak", with(func(in *MemberInput) { in.Language = " NL " }), nil},
		{"a language we do not speak", with(func(in *MemberInput) { in.Language = "ja" }), []string{`language: "ja" is not a language Guildgate speaks`}},
		{"a region is not a language of ours", with(func(in *MemberInput) { in.Language = "fr-CA" }), []string{"language: "}},
		{"all at once", MemberInput{Email: "x", Status: ptr(model.MemberStatus("x")), Password: "x"}, []string{"email", "name", "status", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantProblems(t, tt.in.Validate(), tt.want...) })
	}
}

func TestMemberPatchValidate(t *testing.T) {
	tests := []struct {
		name string
		p    MemberPatch
		want []string
	}{
		{"one field", MemberPatch{GivenName: ptr("Ada")}, nil},
		{"clear optional field", MemberPatch{LegacyID: ptr("")}, nil},
		{"only flags", MemberPatch{Admin: ptr(true), EmailVerified: ptr(false)}, nil},
		{"nothing", MemberPatch{}, []string{"nothing to change"}},
		{"empty name", MemberPatch{Name: ptr("  ")}, []string{"name: is required"}},
		{"bad email", MemberPatch{Email: ptr("nope")}, []string{"email: "}},
		{"bad status", MemberPatch{Status: ptr(model.MemberStatus("lapsed"))}, []string{"status: "}},
		{"empty status", MemberPatch{Status: ptr(model.MemberStatus(""))}, []string{"status: "}},
		{"email with a trailing newline", MemberPatch{Email: ptr("ada@example.org\n")}, []string{`email: "ada@example.org\n" must not contain control characters`}},
		{"label starting with a hyphen", MemberPatch{Email: ptr("ada@-x.example")}, []string{"email: "}},
		{"family name with a tab", MemberPatch{FamilyName: ptr("\tKing")}, []string{"family_name: must not contain control"}},
		{"forget the language", MemberPatch{Language: ptr("")}, nil},
		{"a language we do not speak", MemberPatch{Language: ptr("pt")}, []string{`language: "pt" is not a language Guildgate speaks`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantProblems(t, tt.p.Validate(), tt.want...) })
	}
}

func TestMemberPatchApplyClearsVerifiedOnNewEmail(t *testing.T) {
	m := model.Member{Email: "ada@example.org", EmailVerified: true}
	tests := []struct {
		name string
		p    MemberPatch
		want bool
	}{
		{"new address", MemberPatch{Email: ptr("ada@example.net")}, false},
		{"same address other case", MemberPatch{Email: ptr("ADA@example.org")}, true},
		{"new address, verified given", MemberPatch{Email: ptr("ada@example.net"), EmailVerified: ptr(true)}, true},
		{"other field", MemberPatch{Name: ptr("Ada")}, true},
	}
	for _, tt := range tests {
		if got := tt.p.apply(m).EmailVerified; got != tt.want {
			t.Errorf("%s: EmailVerified = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestGroupValidate(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"valid", GroupInput{Name: " Board ", Description: "Line one\nline two"}.Validate(), nil},
		{"empty name", GroupInput{Name: "   "}.Validate(), []string{"name: is required"}},
		{"100 characters", GroupInput{Name: strings.Repeat("é", 100)}.Validate(), nil},
		{"101 characters", GroupInput{Name: strings.Repeat("é", 101)}.Validate(), []string{"name: must be at most 100"}},
		{"long description", GroupInput{Name: "x", Description: strings.Repeat("d", 1001)}.Validate(), []string{"description: must be at most 1000"}},
		{"control in description", GroupInput{Name: "x", Description: "a\x1bb"}.Validate(), []string{"description: must not contain control"}},
		{"patch nothing", GroupPatch{}.Validate(), []string{"nothing to change"}},
		{"patch empty name", GroupPatch{Name: ptr("")}.Validate(), []string{"name: is required"}},
		{"patch description only", GroupPatch{Description: ptr("")}.Validate(), nil},
		{"name with a trailing newline", GroupInput{Name: "Board\n"}.Validate(), []string{"name: must not contain control"}},
		{"patch name with a trailing newline", GroupPatch{Name: ptr("Board\r\n")}.Validate(), []string{"name: must not contain control"}},
		{"description's surrounding line breaks are layout", GroupInput{Name: "x", Description: "\nAbout\n"}.Validate(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantProblems(t, tt.err, tt.want...) })
	}
}
