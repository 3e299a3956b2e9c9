package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/throttle"
)

// The device authorization grant (RFC 8628), for televisions, kiosks and
// command-line tools that cannot show a sign-in page. The device asks
// /oauth/device_authorization for a pair of codes; the member types the
// short user code at /device on their phone or computer, signs in as for
// /oauth/authorize and approves; meanwhile the device polls the token
// endpoint with the long device code until it gets its tokens.
//
// Both codes are stored by hash only (store.DeviceAuthorizations). Every
// change of a request (a poll, the member's answer, the tokens' issue) goes
// through one locked read-modify-write, so replicas sharing a database
// agree on it and a device code yields its tokens once.

// Paths of the device flow.
const (
	PathDeviceAuthorization = "/oauth/device_authorization"
	PathDevice              = "/device"
)

// Lifetimes of a device request: the member has DeviceTTL to answer, and
// the device polls no more often than every DeviceInterval (RFC 8628 §3.2
// suggests 5 seconds; slow_down adds deviceSlowDown, §3.5).
const (
	DeviceTTL      = 10 * time.Minute
	DeviceInterval = 5 * time.Second
	deviceSlowDown = 5 * time.Second
	// deviceCreateTries bounds the draws of a user code that collides with
	// a pending one: with 20^8 codes even a second draw is rare.
	deviceCreateTries = 5
)

func (p *Provider) mountDeviceAuthorization(mux *http.ServeMux) {
	p.mountClientPOST(mux, PathDeviceAuthorization, p.deviceAuthorization)
}

// deviceAuthorizationResponse is RFC 8628 §3.2.
type deviceAuthorizationResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// deviceAuthorization answers a device's request (RFC 8628 §3.1), which
// is authenticated like a token request; public clients name themselves.
func (p *Provider) deviceAuthorization(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	req, err := p.clientRequest(r, true)
	if err != nil {
		return err
	}
	if !req.client.AllowsGrant(model.GrantDeviceCode) {
		return oauth.UnauthorizedClient("This client is not allowed the device authorization grant.")
	}
	scopes, err := deviceScopes(req.form.Get("scope"))
	if err != nil {
		return err
	}
	if err := p.throttleDevice(w, r, req.tenant, throttle.UseDeviceStart); err != nil {
		return err
	}
	device, user, err := p.newDeviceAuthorization(r.Context(), req.tenant, req.client, scopes)
	if err != nil {
		return err
	}
	shown := oauth.FormatUserCode(user)
	_ = oauth.WriteTokenJSON(w, deviceAuthorizationResponse{ // it reports its own failure
		DeviceCode: device, UserCode: shown,
		VerificationURI:         req.tenant.Issuer + PathDevice,
		VerificationURIComplete: req.tenant.Issuer + PathDevice + "?" + url.Values{"user_code": {shown}}.Encode(),
		ExpiresIn:               int64(DeviceTTL / time.Second), Interval: int64(DeviceInterval / time.Second),
	})
	return nil
}

// deviceScopes: the scopes of /oauth/authorize, unknown ones refused.
func deviceScopes(raw string) ([]string, error) {
	sc, err := oauth.ParseScope(raw)
	if err != nil {
		return nil, err
	}
	for _, s := range sc {
		if !slices.Contains(Supported.Scopes, s) {
			return nil, oauth.InvalidScope("The scope " + s + " is not supported.")
		}
	}
	return sc, nil
}

// throttleDevice spends a token of the request address's bucket for use;
// an empty bucket is a 429 with Retry-After.
func (p *Provider) throttleDevice(w http.ResponseWriter, r *http.Request, t model.Tenant, use string) error {
	if p.Throttle == nil {
		return nil
	}
	wait, err := p.Throttle.AllowAddress(r.Context(), t.ID, use, httpx.ClientIP(r, p.TrustedProxies))
	if err != nil {
		return oauth.ServerError(err)
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
		e := oauth.TemporarilyUnavailable("Too many device requests from this address. Try again later.")
		e.Status = http.StatusTooManyRequests
		return e
	}
	return nil
}

// newDeviceAuthorization stores a pending request and returns its device
// code and its user code (normalised). A user code colliding with another
// request's is drawn again.
func (p *Provider) newDeviceAuthorization(ctx context.Context, t model.Tenant, c model.Client, scopes []string) (device, user string, err error) {
	now := p.Now().UTC()
	for range deviceCreateTries {
		device, user = ids.NewToken(32), oauth.NewUserCode()
		err = p.DeviceAuthorizations.Create(ctx, model.DeviceAuthorization{
			DeviceHash: ids.Hash(device), UserCodeHash: ids.Hash(user), TenantID: t.ID, ClientID: c.ID,
			Scopes: scopes, Interval: DeviceInterval, Status: model.DevicePending,
			CreatedAt: now, ExpiresAt: now.Add(DeviceTTL),
		})
		if !errors.Is(err, model.ErrConflict) {
			break
		}
	}
	if err != nil {
		return "", "", oauth.ServerError(fmt.Errorf("store device authorization: %w", err))
	}
	return device, user, nil
}
