package federation

import (
	"context"
	"errors"

	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/upstream"
)

// Refusal messages, one per linking.Reason. They say what to do, never
// whose account exists.
var refusalMessages = map[linking.Reason]i18n.Message{
	linking.NoEmail:         i18n.M("federation.refused.no_email"),
	linking.DomainNotServed: i18n.M("federation.refused.domain"),
	linking.TenantNotBound:  i18n.M("federation.refused.tenant"),
	linking.EmailNotVouched: i18n.M("federation.refused.not_vouched"),
	linking.NoAccount:       i18n.M("federation.refused.no_account"),
	linking.Disabled:        i18n.M("federation.refused.disabled"),
	linking.BadProfile:      i18n.M("federation.refused.bad_profile"),
}

var msgRefusedOther = i18n.M("federation.refused.other")

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
