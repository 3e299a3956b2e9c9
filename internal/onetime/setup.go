package onetime

import (
	"context"
	"errors"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// ErrAdminExists refuses a setup link once the site has an administrator,
// however valid the link: from then on administrators are made in the
// console or with the CLI.
var ErrAdminExists = errors.New("the site already has an administrator")

// SetupLink makes a first-administrator link for the tenant, replacing any
// unused one, when no member of it is an administrator; otherwise it
// returns an empty token and no error.
func (s *Service) SetupLink(ctx context.Context, tenantID string) (string, model.OneTimeLink, error) {
	if has, err := s.Members.HasAdmin(ctx, tenantID); err != nil || has {
		return "", model.OneTimeLink{}, err
	}
	return s.issue(ctx, "system", tenantID, model.PurposeAdminSetup, "", SetupTTL)
}

// FirstSetupLink is SetupLink at a site's first start: it makes a link
// only when none was ever made for the tenant (the audit log remembers),
// so that a restart does not print a fresh working link into the logs
// again. Later links are asked for explicitly (`guildgate setup-link`).
func (s *Service) FirstSetupLink(ctx context.Context, tenantID string) (string, model.OneTimeLink, error) {
	made, err := s.Audit.List(ctx, tenantID, store.AuditQuery{Action: kinds[model.PurposeAdminSetup].action + ".create", Limit: 1})
	if err != nil || len(made.Items) > 0 {
		return "", model.OneTimeLink{}, err
	}
	return s.SetupLink(ctx, tenantID)
}

// OpenSetup returns the setup link named by token while it may still
// create the tenant's first administrator.
func (s *Service) OpenSetup(ctx context.Context, tenantID, token string) (model.OneTimeLink, error) {
	if has, err := s.Members.HasAdmin(ctx, tenantID); err != nil {
		return model.OneTimeLink{}, err
	} else if has {
		return model.OneTimeLink{}, ErrAdminExists
	}
	return s.open(ctx, tenantID, model.PurposeAdminSetup, token)
}

// CompleteSetup creates the first administrator from in, which must carry
// a password. The link is used in the transaction that adds the member,
// so a member refused leaves the link unused.
func (s *Service) CompleteSetup(ctx context.Context, tenantID, token string, in directory.MemberInput) (model.Member, error) {
	l, err := s.OpenSetup(ctx, tenantID, token)
	if err != nil {
		return model.Member{}, err
	}
	status := model.StatusCurrent
	in.Admin, in.Status = true, &status
	if err := setupProblems(in); err != nil {
		return model.Member{}, err
	}
	if _, err := s.Dir.MemberByEmail(ctx, tenantID, in.Email); err == nil {
		return model.Member{}, adminEmailTaken(in.Email, nil)
	} else if !errors.Is(err, model.ErrNotFound) {
		return model.Member{}, err
	}
	hashed, err := s.Dir.HashPassword(ctx, in.Password) // before the transaction: hashing is slow on purpose
	if err != nil {
		return model.Member{}, err
	}
	var m model.Member
	err = s.inTx(ctx, func(s *Service) error {
		if err := s.redeem(ctx, l, map[string]string{"email": in.Email}); err != nil {
			return err
		}
		m, err = s.Dir.AddMemberHashed(ctx, linkActor(l), tenantID, in, hashed)
		if errors.Is(err, model.ErrConflict) { // taken since the check above
			return adminEmailTaken(in.Email, err)
		}
		return err
	})
	return m, err
}

func adminEmailTaken(email string, err error) error {
	return &problem.Conflict{Msg: "a member with email " + email + " already exists; make them an administrator with: " +
		"guildgate member update " + email + " --admin=true", Err: err}
}

// setupProblems is the directory's checks plus a required password (the
// directory lets members without one sign in upstream only).
func setupProblems(in directory.MemberInput) error {
	var ps problem.List
	if in.Password == "" {
		ps.Add("password", "choose a password")
	}
	if inv, ok := errors.AsType[*problem.Invalid](in.Validate()); ok {
		ps = append(ps, inv.Problems...)
	}
	return ps.Err()
}
