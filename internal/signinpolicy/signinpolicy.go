// Package signinpolicy is the one place that decides whether a member's
// sign-in is strong enough for what they are signing in to: the tenant's
// second-factor policy, a client that requires one, and a client's
// acr_values. OpenID Connect, legacy SSO, SAML and the admin console all
// ask it, so a rule added here holds on every surface. It decides; the
// surfaces turn the decision into a step-up, an enrolment or an error in
// their own protocol's form.
package signinpolicy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Level is how strongly a member proved who they are.
type Level int

const (
	LevelOne   Level = iota // one factor: a password, or an organisation's provider
	LevelMFA                // two factors (amr "mfa")
	LevelPhish              // phishing-resistant: a passkey (acr "phr")
)

// ACR values: what acr_values may ask for and what the acr claim states.
const (
	ACRMFA = "mfa"
	ACRPhr = "phr"
)

// ACRValuesSupported is discovery's acr_values_supported.
var ACRValuesSupported = []string{ACRPhr, ACRMFA}

// Achieved is the level a session's amr (RFC 8176) shows: two factors
// (mfa.ProvedTwo), and phishing-resistant when one of them was a passkey
// (a key bound to the site's origin: "hwk" or "swk").
func Achieved(amr []string) Level {
	key := slices.Contains(amr, "hwk") || slices.Contains(amr, "swk")
	switch {
	case key && mfa.ProvedTwo(amr):
		return LevelPhish
	case mfa.ProvedTwo(amr):
		return LevelMFA
	}
	return LevelOne
}

// ACR is the acr claim for a sign-in with amr: the strongest value it
// meets, or "" for a single factor (the claim is then left out).
func ACR(amr []string) string {
	switch Achieved(amr) {
	case LevelPhish:
		return ACRPhr
	case LevelMFA:
		return ACRMFA
	}
	return ""
}

// RequestedLevel reads acr_values (space-separated, in order of
// preference): meeting any one of them meets the request, so the weakest
// supported value decides. Unknown values are ignored; ok is false when
// none is supported, and the request then asks for nothing.
func RequestedLevel(acrValues string) (Level, bool) {
	lvl, ok := LevelPhish, false
	for _, v := range strings.Fields(acrValues) {
		switch v {
		case ACRMFA:
			lvl, ok = min(lvl, LevelMFA), true
		case ACRPhr:
			lvl, ok = min(lvl, LevelPhish), true
		}
	}
	if !ok {
		return LevelOne, false
	}
	return lvl, true
}

// Verdict is what the surface must do.
type Verdict int

const (
	Allow  Verdict = iota // the session is good enough
	StepUp                // ask the member for their second factor (mfa.CodePath)
	Enrol                 // the member must set one up first (mfa.EnrolPath)
	Unmet                 // cannot be met: unmet_authentication_requirements
)

// Need is what one sign-in asks beyond the site's policy.
type Need struct {
	ClientID string // "" when no client is involved (the admin console, SAML)
	ACR      Level  // from acr_values; LevelOne for none
}

// Decision is the verdict and the level that was required.
type Decision struct {
	Verdict Verdict
	Want    Level
	Reason  string // for the log and audit, never the member
}

// Page is where a browser surface sends the member before going on: the
// second-factor step for StepUp, setting one up for Enrol, "" otherwise.
func (d Decision) Page() string {
	switch d.Verdict {
	case StepUp:
		return mfa.CodePath
	case Enrol:
		return mfa.EnrolPath
	}
	return ""
}

// Checker decides. Every field is required.
type Checker struct {
	Policies store.MFAPolicies
	MFA      *mfa.Service
}

// Decide judges session s of member m for need.
func (c *Checker) Decide(ctx context.Context, t model.Tenant, m model.Member, s model.Session, need Need) (Decision, error) {
	policy, err := c.policyLevel(ctx, t, m, need)
	if err != nil {
		return Decision{}, err
	}
	fed := slices.Contains(s.AMR, "fed")
	if fed {
		policy = LevelOne // an organisation's identity provider secures its own members
	}
	want := max(policy, need.ACR)
	if Achieved(s.AMR) >= want {
		return Decision{Verdict: Allow, Want: want}, nil
	}
	if fed {
		// An upstream sign-in's factors are unknown, and not ours to add to.
		return Decision{Verdict: Unmet, Want: want, Reason: "no way to meet the requirement"}, nil
	}
	st, err := c.MFA.Status(ctx, t.ID, m.ID)
	if err != nil {
		return Decision{}, fmt.Errorf("signinpolicy: %w", err)
	}
	if want == LevelPhish {
		// Only a passkey meets it. A member without one cannot set one up
		// in the middle of this sign-in: adding a passkey needs a session
		// that proved the second factor, which is what is missing here.
		if st.Passkeys > 0 {
			return Decision{Verdict: StepUp, Want: want, Reason: "passkey needed"}, nil
		}
		return Decision{Verdict: Unmet, Want: want, Reason: "passkey needed, none set up"}, nil
	}
	if st.Any() {
		return Decision{Verdict: StepUp, Want: want, Reason: "second factor needed"}, nil
	}
	return Decision{Verdict: Enrol, Want: want, Reason: "second factor needed, none set up"}, nil
}

// policyLevel is what the site and the client require of this member.
// With a client both come from one read (ForClient): every authorization
// asks, and one read costs less than two.
func (c *Checker) policyLevel(ctx context.Context, t model.Tenant, m model.Member, need Need) (Level, error) {
	var p model.MFAPolicy
	var required bool
	var err error
	if need.ClientID == "" {
		p, err = c.Policies.Tenant(ctx, t.ID)
	} else {
		p, required, err = c.Policies.ForClient(ctx, t.ID, need.ClientID)
	}
	if err != nil {
		return 0, fmt.Errorf("signinpolicy: %w", err)
	}
	if required || p == model.MFARequired || (p == model.MFAAdmins && m.Admin) {
		return LevelMFA, nil
	}
	return LevelOne, nil
}
