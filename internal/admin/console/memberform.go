package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
)

// memberForm is the add/edit form as entered.
type memberForm struct {
	base
	Member                                       model.Member // the stored member; zero when adding
	Email, Name, GivenName, FamilyName, LegacyID string
	Status                                       string
	Verified, Admin, Self                        bool
	MailOn                                       bool     // the site sends mail: an unverified address can be sent a link
	Groups                                       []string // ids of the groups ticked
	AllGroups                                    []model.Group
	Statuses                                     []model.MemberStatus
	// Language is the member's remembered language ("" for none); the
	// edit form offers each of Languages. hasLanguage: the form sent it.
	Language    string
	hasLanguage bool
	Languages   []languageChoice
	Errors      map[string][]string
}

func (h *Handler) memberForm(ctx context.Context, r *http.Request, c *call, f memberForm, title string) (memberForm, error) {
	gs, err := h.Dir.ListGroups(ctx, c.tenant.ID)
	f.base, f.AllGroups, f.Statuses, f.Self = pageBase(r, c, "members", title), gs, model.MemberStatuses, f.Member.ID == c.admin.ID
	for _, code := range i18n.Languages {
		f.Languages = append(f.Languages, languageChoice{Code: code, Name: i18n.Name(code)})
	}
	f.MailOn = h.Links.Mail.Enabled()
	return f, err
}

func formOf(m model.Member, groups []model.Group) memberForm {
	f := memberForm{Member: m, Email: m.Email, Name: m.Name, GivenName: m.GivenName, FamilyName: m.FamilyName,
		LegacyID: m.LegacyID, Status: string(m.Status), Verified: m.EmailVerified, Admin: m.Admin, Language: m.Language}
	for _, g := range groups {
		f.Groups = append(f.Groups, g.ID)
	}
	return f
}

func readMemberForm(r *http.Request) memberForm {
	p := r.PostForm
	return memberForm{Email: p.Get("email"), Name: p.Get("name"), GivenName: p.Get("given_name"), FamilyName: p.Get("family_name"),
		LegacyID: p.Get("legacy_id"), Status: p.Get("status"), Verified: p.Get("email_verified") == "on",
		Admin: p.Get("admin") == "on", Groups: p["groups"], Language: p.Get("language"), hasLanguage: p.Has("language")}
}

func (h *Handler) newMember(w http.ResponseWriter, r *http.Request, c *call) error {
	f, err := h.memberForm(r.Context(), r, c, memberForm{Status: string(model.StatusCurrent)}, "Add member")
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "member_form", f)
}

func (h *Handler) createMember(w http.ResponseWriter, r *http.Request, c *call) error {
	f := readMemberForm(r)
	m, err := h.Dir.AddMember(r.Context(), c.actor(), c.tenant.ID, directory.MemberInput{Email: f.Email, Name: f.Name,
		GivenName: f.GivenName, FamilyName: f.FamilyName, LegacyID: f.LegacyID, Status: (*model.MemberStatus)(&f.Status),
		EmailVerified: f.Verified, Admin: f.Admin})
	if errs, bad := fieldErrors(err); bad {
		return h.refuseMemberForm(w, r, c, f, errs, "Add member")
	} else if err != nil {
		return err
	}
	if err := h.setGroups(r.Context(), c, m.ID, nil, f.Groups); err != nil {
		return err
	}
	return seeOther(w, "/admin/members/"+url.PathEscape(m.ID), "member-created")
}

func (h *Handler) refuseMemberForm(w http.ResponseWriter, r *http.Request, c *call, f memberForm, errs map[string][]string, title string) error {
	f, err := h.memberForm(r.Context(), r, c, f, title)
	if err != nil {
		return err
	}
	f.Errors = errs
	return h.views.render(w, http.StatusBadRequest, "member_form", f)
}

func (h *Handler) editMember(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.Member(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	gs, err := h.Dir.GroupsOf(r.Context(), c.tenant.ID, m.ID)
	if err != nil {
		return err
	}
	f, err := h.memberForm(r.Context(), r, c, formOf(m, gs), m.Email)
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "member_form", f)
}

// updateMember changes only the fields that differ, then the groups, each
// change audited by the directory service.
func (h *Handler) updateMember(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.Member(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := readMemberForm(r)
	f.Member = m
	if m.ID == c.admin.ID && !f.Admin {
		return selfLockout("remove your own administrator rights")
	}
	p := patch(m, f)
	if p != (directory.MemberPatch{}) {
		_, err := h.Dir.UpdateMember(r.Context(), c.actor(), c.tenant.ID, m.ID, p)
		if errs, bad := fieldErrors(err); bad {
			return h.refuseMemberForm(w, r, c, f, errs, m.Email)
		} else if err != nil {
			return err
		}
	}
	current, err := h.Dir.GroupsOf(r.Context(), c.tenant.ID, m.ID)
	if err != nil {
		return err
	}
	if err := h.setGroups(r.Context(), c, m.ID, current, f.Groups); err != nil {
		return err
	}
	return seeOther(w, "/admin/members/"+url.PathEscape(m.ID), "member-updated")
}

func patch(m model.Member, f memberForm) directory.MemberPatch {
	var p directory.MemberPatch
	str := func(dst **string, cur, v string) {
		if v != cur {
			*dst = &v
		}
	}
	str(&p.Email, m.Email, f.Email)
	str(&p.Name, m.Name, f.Name)
	str(&p.GivenName, m.GivenName, f.GivenName)
	str(&p.FamilyName, m.FamilyName, f.FamilyName)
	str(&p.LegacyID, m.LegacyID, f.LegacyID)
	if s := model.MemberStatus(f.Status); s != m.Status {
		p.Status = &s
	}
	if f.Verified != m.EmailVerified {
		p.EmailVerified = &f.Verified
	}
	if f.Admin != m.Admin {
		p.Admin = &f.Admin
	}
	if f.hasLanguage {
		str(&p.Language, m.Language, f.Language)
	}
	return p
}

// languageChoice is a language the member's mail may be written in,
// named in itself.
type languageChoice struct{ Code, Name string }

// setGroups makes the member's groups the ticked ones.
func (h *Handler) setGroups(ctx context.Context, c *call, memberID string, current []model.Group, want []string) error {
	var have []string
	for _, g := range current {
		have = append(have, g.ID)
		if !slices.Contains(want, g.ID) {
			if err := h.Dir.RemoveFromGroup(ctx, c.actor(), c.tenant.ID, g.ID, memberID); err != nil {
				return err
			}
		}
	}
	for _, id := range want {
		if !slices.Contains(have, id) {
			if err := h.Dir.AddToGroup(ctx, c.actor(), c.tenant.ID, id, memberID); err != nil {
				return err
			}
		}
	}
	return nil
}

// selfLockout refuses the changes by which an administrator could shut
// themselves out of the console; another administrator can make them.
func selfLockout(what string) error {
	return httpx.BadRequest("You cannot " + what + " here; ask another administrator.")
}
