package oidc

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/tokens"
	"github.com/guildgate/guildgate/internal/ui"
)

// logoutParamNames are the RP-Initiated Logout 1.0 §2 request parameters.
var logoutParamNames = []string{
	"id_token_hint", "logout_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales",
}

// logoutRequest is what a /log-out request asks for. logout_hint and
// ui_locales are accepted and carried through the confirmation, but change
// nothing: the session tells who is signed in, and there is one language.
type logoutRequest struct {
	IDTokenHint, LogoutHint, ClientID, PostLogoutRedirectURI, State, UILocales string
}

// parseLogoutRequest reads the parameters, refusing repeats: two values let
// two readers see two different requests; and refusing any parameter that
// is not text (oauth.CheckText).
func parseLogoutRequest(v url.Values) (logoutRequest, error) {
	for _, check := range []error{oauth.SingleValues(v, logoutParamNames...), oauth.CheckText(v)} {
		if check != nil {
			return logoutRequest{}, httpx.BadRequest(oauth.FromError(check).Description).WithCause(check)
		}
	}
	return logoutRequest{
		IDTokenHint: v.Get("id_token_hint"), LogoutHint: v.Get("logout_hint"), ClientID: v.Get("client_id"),
		PostLogoutRedirectURI: v.Get("post_logout_redirect_uri"), State: v.Get("state"), UILocales: v.Get("ui_locales"),
	}, nil
}

// hidden returns the parameters the confirmation form must repeat.
func (req logoutRequest) hidden() []ui.HiddenField {
	var out []ui.HiddenField
	for _, f := range []ui.HiddenField{
		{Name: "id_token_hint", Value: req.IDTokenHint}, {Name: "logout_hint", Value: req.LogoutHint},
		{Name: "client_id", Value: req.ClientID}, {Name: "post_logout_redirect_uri", Value: req.PostLogoutRedirectURI},
		{Name: "state", Value: req.State}, {Name: "ui_locales", Value: req.UILocales},
	} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// logoutTarget is a checked request: who the relying party says is
// leaving, and where the member goes afterwards.
type logoutTarget struct {
	hint     *tokens.IDTokenClaims // nil without an id_token_hint
	redirect string                // post_logout_redirect_uri with state; "" when none applies
}

// provesSession reports whether the hint names this session's member and,
// when it carries a sid, this very session: then the relying party has
// shown it holds an ID token from the session it asks to end.
func (lo logoutTarget) provesSession(s model.Session, m model.Member) bool {
	return lo.hint != nil && lo.hint.Subject == m.ID && (lo.hint.SessionID == "" || lo.hint.SessionID == s.ID)
}

// resolve checks the request against the spec's rules: a hint must be an
// ID token this tenant issued (expired ones are fine, §2), a client_id
// beside it must be its audience, and a post_logout_redirect_uri is used
// only when it is registered, exactly, for the client identified (§3).
// An unregistered URI or unknown client is not an error: the member still
// signs out and just isn't sent there.
func (e *logoutEndpoint) resolve(ctx context.Context, t model.Tenant, req logoutRequest) (logoutTarget, error) {
	var lo logoutTarget
	clientID := req.ClientID
	if req.IDTokenHint != "" {
		hint, err := e.verifyHint(ctx, t, req.IDTokenHint)
		if err != nil {
			return lo, err
		}
		if clientID != "" && !strings.EqualFold(clientID, hint.ClientID) {
			return lo, httpx.BadRequestMsg(i18n.M("logout.client_mismatch"))
		}
		lo.hint, clientID = &hint, hint.ClientID
	}
	if clientID == "" || req.PostLogoutRedirectURI == "" {
		return lo, nil
	}
	c, err := e.Clients.Lookup(ctx, t.ID, clientID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		e.logoutNote(ctx, "logout names an unknown client; no post-logout redirect", clientID)
		return lo, nil
	case err != nil:
		return lo, httpx.Internal(err)
	}
	uri, ok := oauth.MatchRedirectURI(c.PostLogoutRedirectURIs, req.PostLogoutRedirectURI)
	if !ok {
		e.logoutNote(ctx, "post_logout_redirect_uri is not registered for the client; not redirecting", c.ID)
		return lo, nil
	}
	lo.redirect = logoutWithState(uri, req.State)
	return lo, nil
}

// verifyHint verifies an id_token_hint as the client it names signs its
// ID tokens. A store failure while finding that client is ours (500), not
// a bad hint (400).
func (e *logoutEndpoint) verifyHint(ctx context.Context, t model.Tenant, raw string) (tokens.IDTokenClaims, error) {
	hint, storeErr, err := e.verifyIDTokenHint(ctx, t, raw)
	switch {
	case storeErr != nil:
		return hint, httpx.Internal(storeErr)
	case err != nil:
		return hint, httpx.BadRequestMsg(i18n.M("logout.bad_hint")).WithCause(err)
	}
	return hint, nil
}

// logoutWithState appends state to a registered URI, keeping the URI's own
// query exactly as registered (re-encoding it could reorder or respell it).
func logoutWithState(uri, state string) string {
	if state == "" {
		return uri
	}
	sep := "&"
	switch {
	case !strings.Contains(uri, "?"):
		sep = "?"
	case strings.HasSuffix(uri, "?"), strings.HasSuffix(uri, "&"):
		sep = ""
	}
	return uri + sep + "state=" + url.QueryEscape(state)
}

func (e *logoutEndpoint) logoutNote(ctx context.Context, msg, clientID string) {
	e.Logger.LogAttrs(ctx, slog.LevelInfo, msg,
		slog.String("request_id", httpx.RequestIDFrom(ctx)), slog.String("client_id", clientID))
}
