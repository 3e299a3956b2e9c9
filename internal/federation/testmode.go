package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/upstream"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
)

// TestResultFunc shows an administrator what a test sign-in received. It
// is the admin console's (the page is the console's), and it checks that
// the browser belongs to an administrator before showing anything.
type TestResultFunc func(w http.ResponseWriter, r *http.Request, c model.Connection, claims upstream.Claims) error

// CheckConnection runs "Test connection" for a saved connection: the same
// checks as `guildgate connection test` and setup links.
func (h *Handler) CheckConnection(ctx context.Context, t model.Tenant, c model.Connection) ([]upoidc.Finding, error) {
	if h.Setup == nil || h.Setup.Check == nil {
		return nil, errors.New("federation: no connection check configured")
	}
	if !connections.Ready(c) {
		return nil, fmt.Errorf("connection %s has no provider details yet", c.ID)
	}
	secret, err := h.Connections.Secret(c)
	if err != nil {
		return nil, err
	}
	return h.Setup.Check(ctx, c, secret, connections.CallbackURL(t.Issuer)), nil
}

// BeginTest starts an administrator's test sign-in with c and returns the
// provider URL to send the browser to. The round trip is an ordinary one
// (state, nonce, PKCE, browser cookie, every check on the way back), but
// its state is marked StateTest, so the callback hands the verified claims
// to TestResult instead of finding, creating or linking a member. back is
// the console page a failure offers to retry from.
func (h *Handler) BeginTest(w http.ResponseWriter, r *http.Request, t model.Tenant, c model.Connection, back string) (string, error) {
	if !connections.Ready(c) {
		return "", httpx.BadRequest("This connection has no provider details yet, so there is nothing to sign in with.")
	}
	k, err := h.connector(r.Context(), c)
	if err != nil {
		return "", (&httpx.Error{Status: http.StatusBadGateway,
			Message: "The provider could not be reached to start a test sign-in: run Test connection to see why."}).WithCause(err)
	}
	req, err := h.begin(w, r, t, c, model.StateTest, back)
	if err != nil {
		return "", err
	}
	return k.AuthCodeURL(req), nil
}

// showTest ends a test round trip on the administrator's claims page.
func (h *Handler) showTest(w http.ResponseWriter, r *http.Request, c model.Connection, claims upstream.Claims) error {
	if h.TestResult == nil {
		return httpx.Internal(errors.New("federation: test sign-in finished but no page shows its result"))
	}
	return h.TestResult(w, r, c, claims)
}
