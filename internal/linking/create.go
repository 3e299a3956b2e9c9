package linking

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// create makes the member just in time, its email verified: Vouch has
// passed, so the connection vouches for the address.
func (s *Service) create(ctx context.Context, tenantID string, c model.Connection, f Facts) (model.Member, error) {
	in := directory.MemberInput{Email: f.Email, Name: displayName(f), GivenName: f.GivenName,
		FamilyName: f.FamilyName, Status: &c.JITStatus, EmailVerified: true, Language: f.Language}
	if in.Validate() != nil {
		return model.Member{}, refuse(BadProfile)
	}
	m, err := s.Directory.AddMember(ctx, Actor(c), tenantID, in)
	if _, ok := errors.AsType[*problem.Conflict](err); ok {
		return m, fmt.Errorf("create member: %w", model.ErrConflict)
	}
	return m, err
}

// displayName falls back to the email's local part: a name is required.
func displayName(f Facts) string {
	if f.Name != "" {
		return f.Name
	}
	if n := strings.TrimSpace(f.GivenName + " " + f.FamilyName); n != "" {
		return n
	}
	return f.Email[:strings.LastIndexByte(f.Email, '@')]
}
