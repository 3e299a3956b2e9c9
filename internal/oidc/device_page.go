package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/returnto"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/ui"
)

// The member's side of the device flow: /device asks for the user code;
// a code that checks out leads to /device/confirm, which needs a session
// that satisfies the sign-in policy and the client's permitted groups, as
// /oauth/authorize does, and asks the member to approve or deny.
//
// The confirmation page is addressed by a reference sealed with the master
// key (the request's device-code hash and the code as typed), never by the
// user code itself: the only way to look a user code up is the throttled
// form, however many times the member goes through /login and back.

// pathDeviceConfirm is the approval page.
const pathDeviceConfirm = PathDevice + "/confirm"

// deviceRef is what a confirmation page's reference seals.
type deviceRef struct {
	DeviceHash string `json:"h"`
	Code       string `json:"c"` // XXXX-XXXX, shown for the member to compare
}

func deviceRefBinding(t model.Tenant) []byte {
	return secrets.AssociatedData("device-ref", t.ID)
}

// mountDevice registers the pages; every one is a browser form with CSRF
// protection.
func (p *Provider) mountDevice(mux *http.ServeMux) {
	mux.Handle("GET "+PathDevice, p.CSRF.Protect(p.Pages.Handle(p.deviceForm)))
	mux.Handle("POST "+PathDevice, p.CSRF.Protect(p.Pages.Handle(p.deviceEnter)))
	mux.Handle("GET "+pathDeviceConfirm, p.CSRF.Protect(p.Pages.Handle(p.deviceConfirm)))
	mux.Handle("POST "+pathDeviceConfirm, p.CSRF.Protect(p.Pages.Handle(p.deviceAnswer)))
}

// deviceForm shows the code form, filled in from verification_uri_complete.
func (p *Provider) deviceForm(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	code := r.URL.Query().Get("user_code")
	if n, ok := oauth.NormalizeUserCode(code); ok {
		code = oauth.FormatUserCode(n)
	} else {
		code = ""
	}
	return p.renderDeviceCode(w, r, t, http.StatusOK, code, i18n.Message{})
}

func (p *Provider) renderDeviceCode(w http.ResponseWriter, r *http.Request, t model.Tenant, status int, code string, msg i18n.Message) error {
	return p.UI.Render(w, status, ui.PageDeviceCode, ui.DeviceCode{
		Page: ui.PageFor(r, t), CSRFToken: p.CSRF.Token(w, r), Code: code, Error: msg,
	})
}

// devicePost opens one of the device pages' form posts: the form token
// first, then the tenant.
func (p *Provider) devicePost(r *http.Request) (model.Tenant, error) {
	if err := p.CSRF.Check(r); err != nil {
		return model.Tenant{}, err
	}
	return tenancy.FromRequest(r)
}

// deviceEnter checks a typed code: its shape first (a typo costs no
// lookup), then the throttle per address, per tenant and per code, then
// the store.
// Unknown, expired and answered codes get one message.
func (p *Provider) deviceEnter(w http.ResponseWriter, r *http.Request) error {
	t, err := p.devicePost(r)
	if err != nil {
		return err
	}
	typed := r.PostForm.Get("user_code")
	code, ok := oauth.NormalizeUserCode(typed)
	if !ok {
		shown := typed
		if len(shown) > 32 {
			shown = ""
		}
		return p.renderDeviceCode(w, r, t, http.StatusUnprocessableEntity, shown, i18n.M("device.error.malformed"))
	}
	if err := p.throttleEntry(r, t, ids.Hash(code)); err != nil {
		return err
	}
	d, err := p.DeviceAuthorizations.GetByUserCode(r.Context(), t.ID, ids.Hash(code))
	switch {
	case errors.Is(err, model.ErrNotFound) || err == nil && !pendingAt(d, p):
		return p.renderDeviceCode(w, r, t, http.StatusUnprocessableEntity, oauth.FormatUserCode(code), i18n.M("device.error.invalid"))
	case err != nil:
		return httpx.Internal(fmt.Errorf("find device authorization: %w", err))
	}
	if err := p.refundDeviceGuess(r, t); err != nil {
		return err
	}
	ref, err := p.sealDeviceRef(t, deviceRef{DeviceHash: d.DeviceHash, Code: oauth.FormatUserCode(code)})
	if err != nil {
		return err
	}
	httpx.SeeOther(w, pathDeviceConfirm+"?"+url.Values{"ref": {ref}}.Encode())
	return nil
}

// throttleEntry spends a token per client address, of the tenant's
// ceiling on wrong codes, and per code typed, in that order; deviceEnter
// gives the ceiling's token back when the code turns out right.
//
// An empty ceiling refuses every entry, the right code too: were a right
// code still looked up, a guesser would only need to tell a 429 from a
// redirect, and the ceiling would bound nothing (RFC 8628 §5.1). The price
// is that addresses enough, guessing at full speed, can hold the tenant's
// device sign-ins at "try again in a few seconds" while they keep at it;
// they gain nothing else, and every other way of signing in is unaffected.
func (p *Provider) throttleEntry(r *http.Request, t model.Tenant, codeHash string) error {
	if p.Throttle == nil {
		return nil
	}
	wait, err := p.Throttle.AllowAddress(r.Context(), t.ID, throttle.UseDeviceEntry, httpx.ClientIP(r, p.TrustedProxies))
	if err == nil && wait == 0 {
		wait, err = p.Throttle.AllowDeviceGuess(r.Context(), t.ID)
		if err == nil && wait == 0 {
			wait, err = p.Throttle.AllowFor(r.Context(), t.ID, throttle.UseDeviceCode, codeHash)
			if err == nil && wait > 0 {
				// Refused before the lookup: no guess was made.
				err = p.Throttle.RefundDeviceGuess(r.Context(), t.ID)
			}
		}
	}
	switch {
	case err != nil:
		return httpx.Internal(err)
	case wait > 0:
		return httpx.TooManyRequests("", wait).Translated(i18n.M("device.error.throttled", int(wait.Seconds())))
	}
	return nil
}

// refundDeviceGuess gives back the ceiling's token of an entry that found
// its request: only wrong codes count against the tenant.
func (p *Provider) refundDeviceGuess(r *http.Request, t model.Tenant) error {
	if p.Throttle == nil {
		return nil
	}
	if err := p.Throttle.RefundDeviceGuess(r.Context(), t.ID); err != nil {
		return httpx.Internal(err)
	}
	return nil
}

// pendingAt reports whether d still awaits the member's answer.
func pendingAt(d model.DeviceAuthorization, p *Provider) bool {
	return d.Status == model.DevicePending && p.Now().Before(d.ExpiresAt)
}

func (p *Provider) sealDeviceRef(t model.Tenant, ref deviceRef) (string, error) {
	b, err := json.Marshal(ref)
	if err != nil {
		return "", httpx.Internal(fmt.Errorf("encode device reference: %w", err))
	}
	s, err := p.Secrets.Encrypt(b, deviceRefBinding(t))
	if err != nil {
		return "", httpx.Internal(fmt.Errorf("seal device reference: %w", err))
	}
	return s, nil
}

// deviceRequest is a confirmation's request, read back from its reference.
type deviceRequest struct {
	ref    string
	code   string
	device model.DeviceAuthorization
	client model.Client
}

// openDeviceRef finds the request a reference names, still pending. A
// reference that does not open, or a request gone, answered or expired,
// is a 400 page asking to start again.
func (p *Provider) openDeviceRef(ctx context.Context, t model.Tenant, raw string) (deviceRequest, error) {
	stale := httpx.BadRequestMsg(i18n.M("device.error.stale"))
	if raw == "" || len(raw) > 1024 {
		return deviceRequest{}, stale
	}
	plain, err := p.Secrets.Decrypt(raw, deviceRefBinding(t))
	if err != nil {
		return deviceRequest{}, stale.WithCause(err)
	}
	var ref deviceRef
	if err := json.Unmarshal(plain, &ref); err != nil {
		return deviceRequest{}, stale.WithCause(err)
	}
	d, err := p.DeviceAuthorizations.Get(ctx, t.ID, ref.DeviceHash)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return deviceRequest{}, stale.WithCause(err)
	case err != nil:
		return deviceRequest{}, httpx.Internal(fmt.Errorf("get device authorization: %w", err))
	case !pendingAt(d, p):
		return deviceRequest{}, httpx.BadRequestMsg(i18n.M("device.error.answered"))
	}
	c, err := p.Clients.Lookup(ctx, t.ID, d.ClientID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return deviceRequest{}, stale.WithCause(err)
	case err != nil:
		return deviceRequest{}, httpx.Internal(fmt.Errorf("look up client: %w", err))
	}
	return deviceRequest{ref: raw, code: ref.Code, device: d, client: c}, nil
}

// deviceConfirm asks the signed-in member to approve; anyone else signs
// in (and proves a second factor where the policy asks) first.
func (p *Provider) deviceConfirm(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	dr, err := p.openDeviceRef(r.Context(), t, r.URL.Query().Get("ref"))
	if err != nil {
		return err
	}
	_, m, done, err := p.deviceSession(w, r, t, dr, false)
	if err != nil || done {
		return err
	}
	return p.UI.Render(w, http.StatusOK, ui.PageDeviceConfirm, ui.DeviceConfirm{
		Page: ui.PageFor(r, t), CSRFToken: p.CSRF.Token(w, r), Ref: dr.ref, Client: dr.client.Name,
		Code: dr.code, Email: m.Email,
	})
}

// deviceSession applies /oauth/authorize's rules to the browser: a
// session, strong enough for the client (package signinpolicy). done is
// true when the browser was sent to sign in or to prove a second factor.
// A member outside the client's permitted groups gets a page that says
// why; when answering (a POST, never a GET, which changes nothing) the
// request is also denied, so the device stops polling.
func (p *Provider) deviceSession(w http.ResponseWriter, r *http.Request, t model.Tenant, dr deviceRequest, answering bool) (model.Session, model.Member, bool, error) {
	back := pathDeviceConfirm + "?" + url.Values{"ref": {dr.ref}}.Encode()
	s, m, err := p.Sessions.Current(r)
	switch {
	case errors.Is(err, session.ErrNoSession):
		return s, m, true, p.deviceDetour(w, "/login", back)
	case err != nil:
		return s, m, false, httpx.Internal(fmt.Errorf("current session: %w", err))
	}
	if p.Policy != nil {
		d, err := p.Policy.Decide(r.Context(), t, m, s, signinpolicy.Need{ClientID: dr.client.ID})
		if err != nil {
			return s, m, false, httpx.Internal(fmt.Errorf("sign-in policy: %w", err))
		}
		switch d.Verdict {
		case signinpolicy.StepUp:
			return s, m, true, p.deviceDetour(w, mfa.CodePath, back)
		case signinpolicy.Enrol:
			return s, m, true, p.deviceDetour(w, mfa.EnrolPath, back)
		case signinpolicy.Unmet:
			return s, m, false, httpx.ForbiddenMsg(i18n.M("device.error.unmet", dr.client.Name))
		}
	}
	ok, err := p.Clients.Permitted(r.Context(), dr.client, m.ID)
	switch {
	case err != nil:
		return s, m, false, httpx.Internal(fmt.Errorf("permitted groups: %w", err))
	case !ok:
		if answering {
			answered, err := p.answerDevice(r.Context(), t, dr, s, m, false)
			if err != nil {
				return s, m, false, err
			}
			if answered {
				p.audit(r, t, "member:"+m.ID, deviceAuditAction(false), "client:"+dr.client.ID, map[string]string{"client_id": dr.client.ID})
			}
		}
		return s, m, false, httpx.ForbiddenMsg(i18n.M("sso.not_permitted", dr.client.Name)).
			WithCause(fmt.Errorf("member %s is in none of the permitted groups of client %s", m.ID, dr.client.ID))
	}
	return s, m, false, nil
}

// deviceDetour sends the browser to page (sign-in, second factor) and back.
func (p *Provider) deviceDetour(w http.ResponseWriter, page, back string) error {
	if returnto.Safe(back) != back {
		return httpx.BadRequestMsg(i18n.M("device.error.stale"))
	}
	httpx.SeeOther(w, page+"?"+url.Values{"return_to": {back}}.Encode())
	return nil
}

// deviceAnswer records the member's approval or denial.
func (p *Provider) deviceAnswer(w http.ResponseWriter, r *http.Request) error {
	t, err := p.devicePost(r)
	if err != nil {
		return err
	}
	approve := r.PostForm.Get("decision") == "approve"
	if !approve && r.PostForm.Get("decision") != "deny" {
		return httpx.BadRequest("decision must be approve or deny")
	}
	dr, err := p.openDeviceRef(r.Context(), t, r.PostForm.Get("ref"))
	if err != nil {
		return err
	}
	s, m, done, err := p.deviceSession(w, r, t, dr, true)
	if err != nil || done {
		return err
	}
	answered, err := p.answerDevice(r.Context(), t, dr, s, m, approve)
	if err != nil {
		return err
	}
	if !answered {
		return httpx.BadRequestMsg(i18n.M("device.error.answered"))
	}
	p.audit(r, t, "member:"+m.ID, deviceAuditAction(approve), "client:"+dr.client.ID, map[string]string{"client_id": dr.client.ID})
	return p.UI.Render(w, http.StatusOK, ui.PageDeviceDone, ui.DeviceDone{Page: ui.PageFor(r, t), Approved: approve, Client: dr.client.Name})
}

func deviceAuditAction(approve bool) string {
	if approve {
		return "oauth.device_approve"
	}
	return "oauth.device_deny"
}

// errDeviceAnswered aborts an answer to a request no longer pending.
var errDeviceAnswered = errors.New("device authorization answered already or expired")

// answerDevice records member m's answer in one transaction: an approval
// stores the grant and points the request at it, so the device's next
// poll finds both or neither. answered is false when the request was
// answered meanwhile (another tab, another replica) or expired.
func (p *Provider) answerDevice(ctx context.Context, t model.Tenant, dr deviceRequest, s model.Session, m model.Member, approve bool) (bool, error) {
	now := p.Now().UTC()
	g := p.deviceGrant(t, dr, s, now)
	err := p.Atomic(ctx, func(tx store.Tx) error {
		if approve {
			if err := tx.Grants().Create(ctx, g); err != nil {
				return fmt.Errorf("create grant: %w", err)
			}
		}
		_, err := tx.DeviceAuthorizations().Update(ctx, t.ID, dr.device.DeviceHash, func(d model.DeviceAuthorization) (model.DeviceAuthorization, error) {
			if d.Status != model.DevicePending || !now.Before(d.ExpiresAt) {
				return d, errDeviceAnswered
			}
			d.Status, d.MemberID, d.DecidedAt = model.DeviceDenied, m.ID, now
			if approve {
				d.Status, d.GrantID = model.DeviceApproved, g.ID
			}
			return d, nil
		})
		return err
	})
	switch {
	case errors.Is(err, errDeviceAnswered):
		return false, nil
	case err != nil:
		return false, httpx.Internal(fmt.Errorf("answer device authorization: %w", err))
	}
	return true, nil
}

// deviceGrant is the authorization an approval creates. It belongs to no
// browser session: the device is not the browser that approved, and
// signing out on the phone should not sign the television out.
// offline_access is kept only for a client that may refresh (OIDC Core
// §11); the grant lasts as long as the longest-lived thing it can issue.
func (p *Provider) deviceGrant(t model.Tenant, dr deviceRequest, s model.Session, now time.Time) model.Grant {
	scopes := slices.Clone(dr.device.Scopes)
	refresh := dr.client.AllowsGrant(model.GrantRefreshToken)
	if !refresh {
		scopes = slices.DeleteFunc(scopes, func(s string) bool { return s == oauth.ScopeOfflineAccess })
	}
	life := DeviceTTL + p.accessTokenTTL()
	if refresh && slices.Contains(scopes, oauth.ScopeOfflineAccess) {
		life = DeviceTTL + RefreshTTL
	}
	return model.Grant{
		ID: grantID(now), TenantID: t.ID, ClientID: dr.client.ID, MemberID: s.MemberID,
		Scopes: scopes, AuthTime: s.AuthTime, AMR: slices.Clone(s.AMR), CreatedAt: now, ExpiresAt: now.Add(life),
	}
}
