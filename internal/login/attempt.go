package login

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
)

// attempt is the verdict on one email+password pair. failure is empty on
// success, else a reason for the audit log, never for the member.
type attempt struct {
	member  model.Member // zero when the email is unknown
	failure string
	rehash  bool
	ip      string
}

// check looks the member up and verifies the password. The hasher runs in
// every case — unknown email and member without password verify against a
// dummy hash, a disabled member against their real one — so response time
// does not tell an attacker which case they hit.
func (h *Handler) check(ctx context.Context, t model.Tenant, email, pw string) (attempt, error) {
	m, err := h.Members.GetByEmail(ctx, t.ID, email)
	switch {
	case errors.Is(err, model.ErrNotFound):
		m = model.Member{} // verify against the dummy hash
	case err != nil:
		return attempt{}, fmt.Errorf("login: find member: %w", err)
	}
	ok, rehash, err := h.Hasher.Verify(ctx, m.PasswordHash, pw)
	if err != nil && !errors.Is(err, password.ErrMalformedHash) {
		return attempt{}, fmt.Errorf("login: verify password: %w", err)
	}
	a := attempt{member: m}
	switch {
	case m.ID == "":
		a.failure = "unknown_email"
	case m.PasswordHash == "":
		a.failure = "no_password"
	case err != nil:
		a.failure = "malformed_hash"
		h.Logger.LogAttrs(ctx, slog.LevelError, "stored password hash is malformed",
			slog.String("tenant_id", t.ID), slog.String("member_id", m.ID))
	case !ok:
		a.failure = "wrong_password"
	case m.Disabled:
		a.failure = "disabled"
	default:
		a.rehash = rehash
	}
	return a, nil
}

// fail answers every failure with the same page and message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, t model.Tenant, f form, a attempt) error {
	target := ""
	if a.member.ID != "" {
		target = "member:" + a.member.ID
	}
	h.audit(r.Context(), t, "anonymous", "login.failure", target, a.ip, map[string]string{"reason": a.failure})
	h.count("failure")
	return h.renderPassword(w, r, t, http.StatusUnprocessableEntity, f, msgIncorrect)
}

// succeed signs the member in and sends them on.
func (h *Handler) succeed(w http.ResponseWriter, r *http.Request, t model.Tenant, f form, a attempt, pw string) error {
	ctx := r.Context()
	if a.rehash {
		h.rehash(ctx, a.member, pw)
	}
	if err := h.Throttle.Succeed(ctx, t.ID, f.Email, a.ip); err != nil {
		h.warn(ctx, "reset sign-in throttle", err)
	}
	second, err := h.hasSecondFactor(ctx, a.member)
	if err != nil {
		return httpx.Internal(err)
	}
	if second {
		h.audit(ctx, t, "member:"+a.member.ID, "login.password_ok", "member:"+a.member.ID, a.ip, nil)
		return h.askCode(w, r, t, f, a.member, []string{"pwd"})
	}
	if _, err := h.Sessions.Start(w, r, t, a.member, []string{"pwd"}); err != nil {
		return httpx.Internal(err)
	}
	actor := "member:" + a.member.ID
	h.audit(ctx, t, actor, "login.success", actor, a.ip, map[string]string{"method": "pwd"})
	h.count("success")
	httpx.SeeOther(w, f.ReturnTo)
	return nil
}

// rehash upgrades a hash made with old cost parameters now that the
// password is known. It never fails the sign-in, and a password changed in
// the meantime wins.
func (h *Handler) rehash(ctx context.Context, m model.Member, pw string) {
	enc, err := h.Hasher.Hash(ctx, pw)
	if err != nil {
		h.warn(ctx, "rehash password", err)
		return
	}
	_, err = h.Members.Update(ctx, m.TenantID, m.ID, func(cur model.Member) (model.Member, error) {
		if cur.PasswordHash == m.PasswordHash {
			cur.PasswordHash = enc
		}
		return cur, nil
	})
	if err != nil {
		h.warn(ctx, "store rehashed password", err)
	}
}

// audit records an event; a failing audit log is reported, not fatal, so an
// audit outage cannot lock every member out.
func (h *Handler) audit(ctx context.Context, t model.Tenant, actor, action, target, ip string, detail map[string]string) {
	auditlog.BestEffort(ctx, h.Audit, h.Logger, model.AuditEvent{
		TenantID: t.ID, At: h.Now().UTC(), Actor: actor, Action: action, Target: target, IP: ip, Detail: detail,
	})
}

func (h *Handler) warn(ctx context.Context, what string, err error) {
	h.Logger.LogAttrs(ctx, slog.LevelError, what+" failed",
		slog.String("request_id", httpx.RequestIDFrom(ctx)), slog.String("cause", err.Error()))
}
