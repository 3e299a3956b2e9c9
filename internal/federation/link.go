package federation

import (
	"context"
	"errors"

	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/upstream"
)

// Refusal messages, one per linking.Reason. They say what to do, never
// whose account exists.
var refusalMessages = map[linking.Reason]string{
	linking.NoEmail:         "Your organisation's sign-in did not tell us your email address, so we cannot find your account. Ask your IT team to release the email claim to this site.",
	linking.DomainNotServed: "Your organisation's sign-in returned an email address this sign-in option does not serve. Ask your administrator.",
	linking.TenantNotBound:  "Your organisation is not allowed to sign in people with this email address here, so nothing was done. Contact the site's administrator.",
	linking.EmailNotVouched: "Your organisation's sign-in did not confirm that your email address is verified, so we cannot connect it to an account here and nothing was done. Contact the site's administrator.",
	linking.NoAccount:       "There is no account for you on this site yet. Ask the site's administrator to add you.",
	linking.Disabled:        "You cannot sign in to this site. Ask the site's administrator.",
	linking.BadProfile:      "Your organisation's sign-in sent details this site cannot accept. Ask your administrator.",
}

const msgRefusedOther = "You cannot sign in here with your organisation's account. Contact the site's administrator."

// member finds, links or creates the member cl stands for under the
// linking rules; a refusal becomes the page that says what to do.
func (h *Handler) member(ctx context.Context, t model.Tenant, c model.Connection, cl upstream.Claims) (model.Member, *failure, error) {
	m, err := h.Linking.SignIn(ctx, t.ID, c, factsOf(cl))
	if r, ok := errors.AsType[*linking.Refusal](err); ok {
		msg, known := refusalMessages[r.Reason]
		if !known {
			msg = msgRefusedOther
		}
		return model.Member{}, refused(string(r.Reason), msg), nil
	}
	return m, nil, err
}

// factsOf passes on what the connector verified, and nothing of the protocol.
func factsOf(cl upstream.Claims) linking.Facts {
	return linking.Facts{Issuer: cl.Issuer, Subject: cl.Subject, Email: cl.Email, EmailVerified: cl.EmailVerified,
		Tenant: cl.Tenant, Name: cl.Name, GivenName: cl.GivenName, FamilyName: cl.FamilyName, Groups: cl.Groups}
}
