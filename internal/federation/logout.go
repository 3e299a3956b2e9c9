package federation

import (
	"context"
	"errors"
	"fmt"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/ui"
	"github.com/guildgate/guildgate/internal/upstream"
)

// LogoutURL is called by /log-out before it ends session s: when the
// member came through a provider with an end_session_endpoint, it returns
// the URL that ends the upstream session too (RP-Initiated Logout with the
// upstream ID token as id_token_hint), coming back to our signed-out page,
// which then sends the member on to next ("" for the signed-out page
// itself). It returns "" when there is nothing upstream to end. A failure
// is logged and yields "": logging out here must never depend on the
// provider.
func (h *Handler) LogoutURL(ctx context.Context, t model.Tenant, s model.Session, next string) string {
	u, err := h.logoutURL(ctx, t, s, next)
	if err != nil {
		h.warn(ctx, "prepare upstream logout", err)
		return ""
	}
	return u
}

func (h *Handler) logoutURL(ctx context.Context, t model.Tenant, s model.Session, next string) (string, error) {
	us, err := h.UpstreamSessions.Get(ctx, t.ID, s.ID)
	if errors.Is(err, model.ErrNotFound) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	c, err := h.ConnectionRecords.Get(ctx, t.ID, us.ConnectionID)
	if err != nil {
		return "", err
	}
	k, err := h.connector(ctx, c)
	if err != nil {
		return "", err
	}
	lo, ok := k.(upstream.Logouter)
	if !ok {
		return "", nil
	}
	hint, err := h.Secrets.Decrypt(us.IDToken, idTokenAD(t.ID, s.ID))
	if err != nil {
		return "", fmt.Errorf("open upstream id token: %w", err)
	}
	state := ids.NewToken(32)
	end, ok := lo.EndSessionURL(string(hint), t.Issuer+PathSignedOut, state)
	if !ok {
		return "", nil
	}
	now := h.now()
	err = h.States.Create(ctx, model.UpstreamState{Hash: ids.Hash(state), TenantID: t.ID,
		ConnectionID: c.ID, Purpose: model.StateLogout, ReturnTo: next, CreatedAt: now, ExpiresAt: now.Add(RoundTripTTL)})
	if err != nil {
		return "", fmt.Errorf("store upstream logout: %w", err)
	}
	return end, nil
}

// signedOut is where providers send members back after ending their
// session: on to where /log-out would have sent them, else our page.
func (h *Handler) signedOut(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	if state := r.URL.Query().Get("state"); state != "" {
		st, first, err := h.States.Consume(r.Context(), t.ID, ids.Hash(state), h.now())
		if err == nil && first && st.Purpose == model.StateLogout && h.now().Before(st.ExpiresAt) && st.ReturnTo != "" {
			httpx.SeeOther(w, st.ReturnTo) // checked by /log-out before it was stored
			return nil
		}
	}
	return h.UI.Render(w, http.StatusOK, ui.PageSignedOut, ui.SignedOut{Page: ui.PageFor(r, t)})
}
