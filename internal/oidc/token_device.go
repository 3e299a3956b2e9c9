package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/store"
)

// deviceInvalid is the one description for a device code that cannot be
// redeemed: unknown, used or another client's are told apart only in the
// log, as for authorization codes.
const deviceInvalid = "The device code is invalid or already used."

// devicePollJitter is how much earlier than the interval a poll may
// arrive and still count as on time: clients such as x/oauth2 time their
// polls by a ticker from when each was sent, and one that waited longer for
// its connection arrives closer to the next. A second of leeway spares an
// honest client a slow_down; a client polling in a loop still gets one.
const devicePollJitter = time.Second

// errDeviceUnchanged aborts a poll that writes nothing.
var errDeviceUnchanged = errors.New("device authorization unchanged")

// exchangeDeviceCode answers a device's poll (RFC 8628 §3.4, §3.5). The
// poll, its answer and, once approved, the refresh token and the audit row
// are decided in one transaction around a locked read of the request, so
// two replicas answering polls of one device agree on its interval, and of
// two polls racing for approved tokens exactly one gets them. A refused
// poll commits too: it counts for the next one's interval.
func (p *Provider) exchangeDeviceCode(r *http.Request, req tokenRequest) (issued, error) {
	code, err := req.param("device_code")
	if err != nil {
		return issued{}, err
	}
	return p.redeem(r.Context(), req, func(ctx context.Context, tx store.Tx) (redemption, error) {
		return p.redeemDevice(ctx, tx, req, ids.Hash(code))
	})
}

// redeemDevice is the transaction of a poll.
func (p *Provider) redeemDevice(ctx context.Context, tx store.Tx, req tokenRequest, hash string) (redemption, error) {
	var answer error
	d, err := tx.DeviceAuthorizations().Update(ctx, req.tenant.ID, hash, func(d model.DeviceAuthorization) (model.DeviceAuthorization, error) {
		next, write, err := pollDevice(d, req.client.ID, p.Now())
		if answer = err; !write {
			return d, errDeviceUnchanged
		}
		return next, nil
	})
	switch {
	case errors.Is(err, model.ErrNotFound):
		return refused(oauth.InvalidGrant(deviceInvalid).WithCause(errors.New("unknown device code")))
	case err != nil && !errors.Is(err, errDeviceUnchanged):
		return redemption{}, fmt.Errorf("poll device authorization: %w", err)
	case answer != nil:
		return refused(answer)
	}
	g, h, err := p.grantInForce(ctx, tx, req.tenant, req.client, d.GrantID)
	if err != nil {
		return refusedUnlessFault(err)
	}
	return p.settle(ctx, tx, req, redemption{grant: g, holder: h}, wantsRefresh(req.client, g), model.GrantDeviceCode)
}

// pollDevice decides one poll of d by client clientID at now: the request
// as it must be written (write false: unchanged), and the answer, nil
// when the device gets its tokens. A poll sooner than the interval after
// the last one lengthens the interval (slow_down); polls that fail before
// (another client's code, a used or expired one) change nothing.
func pollDevice(d model.DeviceAuthorization, clientID string, now time.Time) (model.DeviceAuthorization, bool, error) {
	switch {
	case !strings.EqualFold(d.ClientID, clientID):
		return d, false, oauth.InvalidGrant(deviceInvalid).WithCause(fmt.Errorf("device code was issued to client %s", d.ClientID))
	case !d.ConsumedAt.IsZero():
		return d, false, oauth.InvalidGrant(deviceInvalid).WithCause(errors.New("device code used already"))
	case !now.Before(d.ExpiresAt):
		return d, false, oauth.ExpiredToken("The device code has expired: start again on the device.")
	}
	last := d.PolledAt
	d.PolledAt = now
	if !last.IsZero() && now.Sub(last) < d.Interval-devicePollJitter {
		d.Interval += deviceSlowDown
		return d, true, oauth.SlowDown(fmt.Sprintf("Polling too often: wait at least %d seconds between requests.", d.Interval/time.Second))
	}
	switch d.Status {
	case model.DeviceApproved:
		d.ConsumedAt = now
		return d, true, nil
	case model.DeviceDenied:
		e := oauth.AccessDenied("The request was denied.")
		e.Status = http.StatusBadRequest // RFC 6749 §5.2: the token endpoint's errors are 400
		return d, true, e
	}
	return d, true, oauth.AuthorizationPending("The member has not yet answered the request.")
}
