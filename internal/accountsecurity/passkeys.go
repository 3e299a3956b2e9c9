package accountsecurity

import (
	"errors"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/passkeys"
	"github.com/guildgate/guildgate/internal/ui"
)

// Paths of the passkey pages.
const (
	PathPasskeys      = Path + "/passkeys"
	PathPasskeyRemove = PathPasskeys + "/remove"
	PathPasskeyRename = PathPasskeys + "/rename"
)

func (h *Handler) mountPasskeys(mux *http.ServeMux) {
	mux.Handle("GET "+PathPasskeys, h.page(h.getPasskey))
	mux.Handle("POST "+PathPasskeys, h.page(h.postPasskey))
	mux.Handle("GET "+PathPasskeyRemove, h.page(h.getPasskeyRemove))
	mux.Handle("POST "+PathPasskeyRemove, h.page(h.postPasskeyRemove))
	mux.Handle("POST "+PathPasskeyRename, h.page(h.postPasskeyRename))
}

// binding ties a registration to this browser (its CSRF cookie, whose
// value csrf is) and this session: a form carried to another browser or
// outliving its session registers nothing.
func binding(csrf string, me who) string { return csrf + "|" + me.session.ID }

// mayAdd: a passkey signs in alone, so adding one needs what removing a
// factor needs — a session that proved the second factor — unless the
// member has none to prove yet.
func (h *Handler) mayAdd(w http.ResponseWriter, r *http.Request, me who) (bool, error) {
	if me.provedSecondFactor() {
		return true, nil
	}
	st, err := h.MFA.Status(r.Context(), me.tenant.ID, me.member.ID)
	if err != nil {
		return false, httpx.Internal(err)
	}
	if st.Any() {
		httpx.SeeOther(w, stepUpURL(Path))
		return false, nil
	}
	return true, nil
}

func (h *Handler) getPasskey(w http.ResponseWriter, r *http.Request) error {
	me, ok, err := h.signedIn(w, r)
	if !ok {
		return err
	}
	if ok, err := h.mayAdd(w, r, me); !ok {
		return err
	}
	return h.renderPasskey(w, r, me, http.StatusOK, "", r.URL.Query().Get("return_to"), i18n.Message{})
}

func (h *Handler) renderPasskey(w http.ResponseWriter, r *http.Request, me who, status int, name, returnTo string, msg i18n.Message) error {
	csrf := h.CSRF.Token(w, r)
	c, err := h.Passkeys.BeginRegistration(r.Context(), me.tenant, me.member, binding(csrf, me))
	if err != nil {
		return httpx.Internal(err)
	}
	return h.UI.Render(w, status, ui.PageSecurityPasskey, ui.SecurityPasskey{Page: me.page(r),
		CSRFToken: csrf, Options: string(c.Options), State: c.State, Name: name,
		ReturnTo: safeReturn(returnTo), Error: msg})
}

// postPasskey stores the passkey the browser created. A session that had
// no second factor now has two: the member has just proved the new key.
func (h *Handler) postPasskey(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	me, ok, err := h.signedIn(w, r)
	if !ok {
		return err
	}
	if ok, err := h.mayAdd(w, r, me); !ok {
		return err
	}
	f := r.PostForm
	name := passkeys.CleanName(f.Get("name"))
	if name == "" {
		list, err := h.Passkeys.List(r.Context(), me.tenant.ID, me.member.ID)
		if err != nil {
			return httpx.Internal(err)
		}
		name = me.page(r).T("passkey.default_name", len(list)+1)
	}
	ip := httpx.ClientIP(r, h.TrustedProxies)
	p, err := h.Passkeys.FinishRegistration(r.Context(), me.tenant, me.member, binding(h.CSRF.Token(w, r), me), f.Get("state"), name,
		[]byte(f.Get("credential")), ip)
	if msg, known := passkeyMessage(err); known {
		return h.renderPasskey(w, r, me, http.StatusUnprocessableEntity, f.Get("name"), f.Get("return_to"), msg)
	}
	if err != nil {
		return httpx.Internal(err)
	}
	if err := h.notify(r, me, notices.SecondFactorAdded); err != nil {
		return err
	}
	if !me.provedSecondFactor() {
		amr := mfa.WithSecondFactor(me.session.AMR, keyMethod(p.Record))
		s, err := h.Sessions.Start(w, r, me.tenant, me.member, amr)
		if err != nil {
			return httpx.Internal(err)
		}
		me.session = s
	}
	if rt := safeReturn(f.Get("return_to")); rt != "" {
		httpx.SeeOther(w, rt)
		return nil
	}
	return h.renderSecurity(w, r, me, i18n.M("security.passkeys.saved", p.Name))
}

// keyMethod is the RFC 8176 method of a stored passkey: "swk" for one that
// may be synced off its device, else "hwk".
func keyMethod(record []byte) string {
	if passkeys.BackupEligible(record) {
		return "swk"
	}
	return "hwk"
}

// passkeyMessage is what to tell the member about a ceremony error;
// known is false for an internal error.
func passkeyMessage(err error) (i18n.Message, bool) {
	switch {
	case errors.Is(err, passkeys.ErrMalformed):
		return i18n.M("passkey.error.malformed"), true
	case errors.Is(err, passkeys.ErrExpired):
		return i18n.M("passkey.error.expired"), true
	case errors.Is(err, passkeys.ErrRefused):
		return i18n.M("passkey.error.refused"), true
	}
	return i18n.Message{}, false
}

// getPasskeyRemove asks before removing the passkey ?id=, naming it.
func (h *Handler) getPasskeyRemove(w http.ResponseWriter, r *http.Request) error {
	return h.confirmPasskeyRemove(w, r, r.URL.Query().Get("id"))
}

func (h *Handler) confirmPasskeyRemove(w http.ResponseWriter, r *http.Request, id string) error {
	me, ok, err := h.signedIn(w, r)
	if !ok || !h.mayChange(w, me) {
		return err
	}
	p, err := h.ownPasskey(r, me, id)
	if err != nil {
		return err
	}
	row := passkeyRow(p)
	return h.UI.Render(w, http.StatusOK, ui.PageSecurityConfirm, ui.SecurityConfirm{
		Page: me.page(r), CSRFToken: h.CSRF.Token(w, r), Passkey: &row})
}

// ownPasskey is the member's passkey id; another member's is not found,
// like a missing one.
func (h *Handler) ownPasskey(r *http.Request, me who, id string) (model.Passkey, error) {
	list, err := h.Passkeys.List(r.Context(), me.tenant.ID, me.member.ID)
	if err != nil {
		return model.Passkey{}, httpx.Internal(err)
	}
	for _, p := range list {
		if p.ID == id {
			return p, nil
		}
	}
	return model.Passkey{}, errPasskeyNotFound()
}

func errPasskeyNotFound() error {
	return httpx.NotFoundMsg(i18n.M("security.passkeys.not_found"))
}

func passkeyRow(p model.Passkey) ui.PasskeyRow {
	return ui.PasskeyRow{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt}
}

// postPasskeyRemove removes a passkey once the member confirmed it on the
// page that names it. A post without the confirmation (a remove button of
// a page from before there was one) shows that page instead.
func (h *Handler) postPasskeyRemove(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	if r.PostForm.Get("confirmed") != "yes" {
		return h.confirmPasskeyRemove(w, r, r.PostForm.Get("id"))
	}
	return h.removeFactor(w, r, i18n.M("security.passkeys.removed"), func(me who, ip string) (bool, error) {
		return h.Passkeys.Remove(r.Context(), me.tenant.ID, me.member.ID, r.PostForm.Get("id"), "member:"+me.member.ID, ip)
	})
}

// postPasskeyRename renames one of the member's passkeys. Any session of
// the member may: a name weakens nothing, so it needs no second factor
// proved, and it is audited but not mailed. A refused name shows the page
// again with the name as typed, on its passkey's row.
func (h *Handler) postPasskeyRename(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	me, ok, err := h.signedIn(w, r)
	if !ok {
		return err
	}
	id, name := r.PostForm.Get("id"), r.PostForm.Get("name")
	err = h.Passkeys.Rename(r.Context(), me.tenant.ID, me.member.ID, id, name, "member:"+me.member.ID,
		httpx.ClientIP(r, h.TrustedProxies))
	switch {
	case errors.Is(err, model.ErrNotFound):
		return errPasskeyNotFound()
	case errors.Is(err, passkeys.ErrBadName):
		if _, err := h.ownPasskey(r, me, id); err != nil {
			return err
		}
		return h.renderSecurityStatus(w, r, me, http.StatusUnprocessableEntity, i18n.Message{},
			ui.RenameForm{ID: id, Name: name, Error: i18n.M("passkey.error.name")})
	case err != nil:
		return httpx.Internal(err)
	}
	return h.renderSecurity(w, r, me, i18n.M("security.passkeys.renamed", inputs.Trim(name)))
}
