package connections

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// ErrLinkUnusable is wrapped by every refusal of a setup link: unknown,
// used or expired. The message says which; none reveals the connection.
var ErrLinkUnusable = errors.New("setup link unusable")

// SetupPath is where a setup link's page lives; the token follows it.
const SetupPath = "/auth/sso/setup/"

// CallbackPath is where providers send members back. Package federation
// serves it; it is named here so that the CLI, the admin API and the setup
// page can show it without importing that HTTP surface.
const CallbackPath = "/auth/sso/callback"

// CallbackURL is what an organisation registers with its provider as the
// redirect URI for a tenant whose issuer is issuer.
func CallbackURL(issuer string) string { return issuer + CallbackPath }

// MaxSetupAttempts is how many connection tests one setup link may run.
// Each makes the server contact the URLs its holder typed (up to four
// requests), and the holder has no account: a careful setup needs a few
// tries, and an administrator can send a new link when these run out.
const MaxSetupAttempts = 10

// CreateSetupLink makes a single-use link to complete connection id. The
// token is returned once; only its hash is stored.
func (s *Service) CreateSetupLink(ctx context.Context, actor, tenantID, id string) (string, model.SetupLink, error) {
	c, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return "", model.SetupLink{}, err
	}
	token := ids.NewToken(32)
	now := s.now()
	l := model.SetupLink{Hash: ids.Hash(token), TenantID: tenantID, ConnectionID: c.ID, CreatedBy: actor,
		CreatedAt: now, ExpiresAt: now.Add(SetupLinkTTL)}
	if err := s.SetupLinks.Create(ctx, l); err != nil {
		return "", model.SetupLink{}, fmt.Errorf("create setup link: %w", err)
	}
	return token, l, s.audit(ctx, actor, tenantID, "connection.setup_link.create", c.ID,
		map[string]string{"expires_at": l.ExpiresAt.Format("2006-01-02T15:04:05Z")})
}

// OpenSetupLink returns the link named by token and its connection, when
// the link may still be used.
func (s *Service) OpenSetupLink(ctx context.Context, tenantID, token string) (model.SetupLink, model.Connection, error) {
	l, err := s.SetupLinks.Get(ctx, tenantID, ids.Hash(token))
	if err != nil {
		return l, model.Connection{}, linkError(err)
	}
	if err := s.usable(l); err != nil {
		return l, model.Connection{}, err
	}
	c, err := s.Store.Get(ctx, tenantID, l.ConnectionID)
	return l, c, linkError(err)
}

func (s *Service) usable(l model.SetupLink) error {
	switch {
	case !l.UsedAt.IsZero():
		return unusable("this setup link has already been used; ask the administrator for a new one")
	case !s.now().Before(l.ExpiresAt):
		return unusable("this setup link has expired; ask the administrator for a new one")
	case l.Attempts >= MaxSetupAttempts:
		return unusable("this setup link has run out of connection tests; ask the administrator for a new one")
	}
	return nil
}

func unusable(msg string) error { return &problem.NotFound{Msg: msg, Err: ErrLinkUnusable} }

func linkError(err error) error {
	if errors.Is(err, model.ErrNotFound) {
		return unusable("this setup link is not valid; check that it was copied whole")
	}
	if err != nil {
		return fmt.Errorf("setup link: %w", err)
	}
	return nil
}

// SetupInput is what the organisation's IT contact enters on the page.
type SetupInput struct {
	DiscoveryURL, Issuer, AuthorizationURL, TokenURL, JWKSURL, UserinfoURL string
	ClientID, ClientSecret, AuthMethod                                     string
	Contact                                                                string // who completed it, for the audit log
}

// Tester checks a connection against its provider before it is saved: a
// setup link saves only a connection whose test passes.
type Tester func(ctx context.Context, c model.Connection, secret string) error

// CompleteSetup validates in, runs test on the connection as it would be
// (counting the attempt against the link first), and only then uses the
// link (atomically: two submissions cannot both succeed) and saves. ip
// names where the submission came from.
func (s *Service) CompleteSetup(ctx context.Context, tenantID, token string, in SetupInput, test Tester, ip string) (model.Connection, error) {
	l, c, err := s.OpenSetupLink(ctx, tenantID, token)
	if err != nil {
		return model.Connection{}, err
	}
	p := in.patch()
	cand := p.apply(inputOf(c, nil)).normalized()
	if err := cand.problems(in.ClientSecret != "").Err(); err != nil {
		return model.Connection{}, err
	}
	preview := c
	cand.applyTo(&preview, c.GroupMap)
	if err := s.countAttempt(ctx, tenantID, l.Hash); err != nil {
		return model.Connection{}, err
	}
	if err := test(ctx, preview, in.ClientSecret); err != nil {
		return model.Connection{}, err
	}
	used, first, err := s.SetupLinks.Consume(ctx, tenantID, l.Hash, s.now())
	if err != nil {
		return model.Connection{}, linkError(err)
	}
	if !first {
		return model.Connection{}, s.usable(used)
	}
	actor := "setup-link:" + l.Hash[:12]
	saved, err := s.Update(ctx, actor, tenantID, c.ID, p)
	if err != nil {
		return saved, err
	}
	return saved, s.audit(ctx, actor, tenantID, "connection.setup.complete", c.ID,
		map[string]string{"contact": strings.TrimSpace(in.Contact), "ip": ip, "link_created_by": l.CreatedBy})
}

// countAttempt spends one of the link's connection tests, refusing when
// none is left (or the link was used meanwhile).
func (s *Service) countAttempt(ctx context.Context, tenantID, hash string) error {
	l, counted, err := s.SetupLinks.CountAttempt(ctx, tenantID, hash, MaxSetupAttempts)
	if err != nil {
		return linkError(err)
	}
	if !counted {
		return s.usable(l)
	}
	return nil
}

func (in SetupInput) patch() Patch {
	p := Patch{DiscoveryURL: &in.DiscoveryURL, Issuer: &in.Issuer, AuthorizationURL: &in.AuthorizationURL,
		TokenURL: &in.TokenURL, JWKSURL: &in.JWKSURL, UserinfoURL: &in.UserinfoURL, ClientID: &in.ClientID,
		ClientSecret: &in.ClientSecret}
	if in.AuthMethod != "" {
		p.AuthMethod = &in.AuthMethod
	}
	return p
}
