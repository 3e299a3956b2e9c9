package tenancy

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/branding"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// Service is the one place tenants are created and changed, so the CLI, the
// admin API and start-up all apply the same rules and leave the same audit
// trail. Every change takes the acting party explicitly (an audit actor such
// as "cli", "system" or "member:<id>") rather than reading it from a context.
type Service struct {
	Store store.Tenants
	Audit store.Audit
	Now   func() time.Time
	// Atomic runs a logo change and its tenant row in one transaction
	// (store.Store.Atomic); without it a logo cannot be changed.
	Atomic func(ctx context.Context, fn func(tx store.Tx) error) error
}

// TenantInput is a new tenant as an operator describes it; Create trims and
// normalises it before checking.
type TenantInput struct {
	Slug           string
	Name           string // defaults to Slug
	Issuer         string
	Hosts          []string
	AfterLogoutURL string
	// DefaultLanguage is one of i18n.Languages, or empty for English.
	DefaultLanguage string
}

// TenantPatch changes only the fields that are non-nil. Hosts replaces the
// whole list; an empty list removes every extra host.
type TenantPatch struct {
	Name            *string
	Issuer          *string
	Hosts           *[]string
	AfterLogoutURL  *string
	DefaultLanguage *string
	// Branding: each checked by package branding; "" clears.
	PrimaryColor  *string
	SupportURL    *string
	PrivacyURL    *string
	SignInMessage *string
	// Logo is an uploaded PNG, JPEG or WebP; an empty one removes the logo.
	Logo *[]byte
}

// Create validates in, refuses a slug or host another tenant holds, and
// stores the tenant.
func (s *Service) Create(ctx context.Context, actor string, in TenantInput) (model.Tenant, error) {
	in = in.normalized()
	if err := in.validate(); err != nil {
		return model.Tenant{}, err
	}
	now := s.Now().UTC()
	t := model.Tenant{
		ID: ids.NewUUID(), Slug: in.Slug, Name: in.Name, Issuer: in.Issuer,
		Hosts: in.Hosts, AfterLogoutURL: in.AfterLogoutURL, DefaultLanguage: in.DefaultLanguage, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.checkHostsFree(ctx, t); err != nil {
		return model.Tenant{}, err
	}
	if err := s.Store.Create(ctx, t); err != nil {
		if errors.Is(err, model.ErrConflict) {
			return model.Tenant{}, &problem.Conflict{Msg: fmt.Sprintf("a tenant with slug %q or one of its hosts already exists", t.Slug), Err: err}
		}
		return model.Tenant{}, fmt.Errorf("create tenant %q: %w", t.Slug, err)
	}
	return t, s.audit(ctx, actor, "tenant.create", t, nil)
}

// Update applies p to the tenant named slug. Nothing changes when any field
// is invalid.
func (s *Service) Update(ctx context.Context, actor, slug string, p TenantPatch) (model.Tenant, error) {
	p = p.normalized()
	if err := p.validate(); err != nil {
		return model.Tenant{}, err
	}
	cur, err := s.Get(ctx, slug)
	if err != nil {
		return model.Tenant{}, err
	}
	if err := s.checkHostsFree(ctx, p.apply(cur)); err != nil {
		return model.Tenant{}, err
	}
	logo, err := p.logo()
	if err != nil {
		return model.Tenant{}, err
	}
	t, err := s.write(ctx, cur.ID, p, logo)
	if errors.Is(err, model.ErrConflict) {
		return model.Tenant{}, &problem.Conflict{Msg: fmt.Sprintf("another tenant already claims a host of tenant %q", slug), Err: err}
	} else if err != nil {
		return model.Tenant{}, fmt.Errorf("update tenant %q: %w", slug, err)
	}
	return t, s.audit(ctx, actor, "tenant.update", t, map[string]string{"fields": p.fields()})
}

// EnsureDefault creates the default tenant with issuer when it is missing, so
// a fresh install serves requests (and accepts members) without set-up. An
// existing default tenant is returned untouched: its issuer is the operator's
// to change with Update.
func (s *Service) EnsureDefault(ctx context.Context, actor, issuer string) (model.Tenant, bool, error) {
	t, err := s.Store.GetBySlug(ctx, model.DefaultTenantSlug)
	if err == nil || !errors.Is(err, model.ErrNotFound) {
		return t, false, wrapLookup(err, model.DefaultTenantSlug)
	}
	// Pages show the tenant's name; "Guildgate" reads better than the slug
	// until an administrator names the site.
	t, err = s.Create(ctx, actor, TenantInput{Slug: model.DefaultTenantSlug, Name: "Guildgate", Issuer: issuer})
	if errors.Is(err, model.ErrConflict) {
		// Another process (a second replica, a concurrent CLI call) won the race.
		t, err = s.Store.GetBySlug(ctx, model.DefaultTenantSlug)
		return t, false, wrapLookup(err, model.DefaultTenantSlug)
	}
	return t, err == nil, err
}

// Get finds a tenant by slug; a missing one is a *problem.NotFound naming it.
func (s *Service) Get(ctx context.Context, slug string) (model.Tenant, error) {
	t, err := s.Store.GetBySlug(ctx, slug)
	return t, wrapLookup(err, slug)
}

// List returns every tenant.
func (s *Service) List(ctx context.Context) ([]model.Tenant, error) {
	ts, err := s.Store.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return ts, nil
}

func wrapLookup(err error, slug string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, model.ErrNotFound):
		return &problem.NotFound{Msg: fmt.Sprintf("no tenant with slug %q", slug), Err: err}
	}
	return fmt.Errorf("look up tenant %q: %w", slug, err)
}

// checkHostsFree refuses hosts (extra or the issuer's) that another tenant
// already answers for: the Host header is all that picks a tenant, so two
// tenants on one host would make one of them unreachable. The store enforces
// the same under concurrency; checking first gives a message naming both.
func (s *Service) checkHostsFree(ctx context.Context, t model.Tenant) error {
	for _, h := range tenantHosts(t) {
		other, err := s.Store.GetByHost(ctx, h)
		switch {
		case errors.Is(err, model.ErrNotFound):
			continue
		case err != nil:
			return fmt.Errorf("check host %q: %w", h, err)
		case other.ID != t.ID:
			return &problem.Conflict{Msg: fmt.Sprintf("host %q is already used by tenant %q", h, other.Slug), Err: model.ErrConflict}
		}
	}
	return nil
}

// tenantHosts lists every host t answers for: its issuer's and its extras.
func tenantHosts(t model.Tenant) []string {
	hosts := slices.Clone(t.Hosts)
	if u, err := url.Parse(t.Issuer); err == nil && u.Hostname() != "" {
		hosts = append(hosts, strings.ToLower(u.Hostname()))
	}
	slices.Sort(hosts)
	return slices.Compact(hosts)
}

func (s *Service) audit(ctx context.Context, actor, action string, t model.Tenant, detail map[string]string) error {
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{
		TenantID: t.ID, At: s.Now().UTC(), Actor: actor, Action: action,
		Target: "tenant:" + t.ID, Detail: detail,
	})
}

// write stores p (and the logo, when p changes it) in one transaction.
func (s *Service) write(ctx context.Context, id string, p TenantPatch, logo *model.Logo) (model.Tenant, error) {
	update := func(tenants store.Tenants) (model.Tenant, error) {
		return tenants.Update(ctx, id, func(old model.Tenant) (model.Tenant, error) {
			t := p.apply(old)
			if logo != nil {
				t.LogoType, t.LogoHash = logo.Type, logo.Hash
			}
			t.UpdatedAt = s.Now().UTC()
			return t, nil
		})
	}
	if logo == nil {
		return update(s.Store)
	}
	if s.Atomic == nil {
		return model.Tenant{}, errors.New("tenancy: no transaction to change a logo in")
	}
	var t model.Tenant
	err := s.Atomic(ctx, func(tx store.Tx) error {
		if err := tx.Tenants().PutLogo(ctx, id, *logo); err != nil {
			return err
		}
		var err error
		t, err = update(tx.Tenants())
		return err
	})
	return t, err
}

// logo re-encodes the uploaded logo (nil when p leaves it alone; an empty
// Logo removes it); a refused upload is a problem with the logo field.
func (p TenantPatch) logo() (*model.Logo, error) {
	if p.Logo == nil {
		return nil, nil
	}
	if len(*p.Logo) == 0 {
		return &model.Logo{}, nil
	}
	l, err := branding.NormalizeLogo(*p.Logo)
	if errors.Is(err, branding.ErrLogo) {
		return nil, &problem.Invalid{Problems: []problem.Problem{{Field: "logo", Message: strings.TrimPrefix(err.Error(), branding.ErrLogo.Error()+": ")}}}
	} else if err != nil {
		return nil, err
	}
	return &model.Logo{Type: l.Type, Data: l.Data, Hash: l.Hash}, nil
}
