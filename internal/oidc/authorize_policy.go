package oidc

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/signinpolicy"
)

// requireFactors asks the sign-in policy whether the session may answer
// this request: the tenant's policy, a client that requires a second
// factor, and acr_values. A member who can prove more is sent to do so
// (the code step, or setting up an authenticator first) and back to this
// request, with a marker naming the session found wanting, so the stronger
// session that returns counts as this request's sign-in. What cannot be
// met is unmet_authentication_requirements; with prompt=none, where no page
// may be shown, interaction_required.
func (p *Provider) requireFactors(r *http.Request, t model.Tenant, req *authRequest, who authNext) (authNext, error) {
	if p.Policy == nil {
		return who, nil
	}
	d, err := p.Policy.Decide(r.Context(), t, who.member, who.session,
		signinpolicy.Need{ClientID: req.Client.ID, ACR: req.ACR})
	if err != nil {
		return authNext{}, oauth.ServerError(fmt.Errorf("sign-in policy: %w", err))
	}
	page := mfa.CodePath
	switch {
	case d.Verdict == signinpolicy.Allow:
		return who, nil
	case d.Verdict == signinpolicy.Unmet && d.Want == signinpolicy.LevelPhish:
		return authNext{}, oauth.UnmetAuthenticationRequirements("The member has no phishing-resistant way to sign in (a passkey).")
	case d.Verdict == signinpolicy.Unmet:
		return authNext{}, oauth.UnmetAuthenticationRequirements("The member's sign-in cannot meet the required authentication.")
	case req.Prompt.None:
		return authNext{}, oauth.InteractionRequired("A second factor is needed, which prompt=none does not allow.")
	case d.Verdict == signinpolicy.Enrol:
		page = mfa.EnrolPath
	}
	back, err := p.resumeURL(t, req, who.session.ID)
	if err != nil {
		return authNext{}, err
	}
	q := url.Values{"return_to": {back}}
	if d.Want == signinpolicy.LevelPhish {
		q.Set("need", mfa.NeedPasskey) // the code page offers the passkey alone
	}
	return authNext{login: page + "?" + q.Encode()}, nil
}
