package tenancy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
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
}

// TenantInput is a new tenant as an operator describes it; Create trims and
// normalises it before checking.
type TenantInput struct {
	Slug           string
	Name           string // defaults to Slug
	Issuer         string
	Hosts          []string
	AfterLogoutURL string
}

// TenantPatch changes only the fields that are non-nil. Hosts replaces the
// whole list; an empty list removes every extra host.
type TenantPatch struct {
	Name           *string
	Issuer         *string
	Hosts          *[]string
	AfterLogoutURL *string
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

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
		Hosts: in.Hosts, AfterLogoutURL: in.AfterLogoutURL, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.checkHostsFree(ctx, t); err != nil {
		return model.Tenant{}, err
	}
	if err := s.Store.Create(ctx, t); err != nil {
		if errors.Is(err, model.ErrConflict) {
			return model.Tenant{}, &ConflictError{Msg: fmt.Sprintf("a tenant with slug %q or one of its hosts already exists", t.Slug), Err: err}
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
	t, err := s.Store.Update(ctx, cur.ID, func(old model.Tenant) (model.Tenant, error) {
		t := p.apply(old)
		t.UpdatedAt = s.Now().UTC()
		return t, nil
	})
	if errors.Is(err, model.ErrConflict) {
		return model.Tenant{}, &ConflictError{Msg: fmt.Sprintf("another tenant already claims a host of tenant %q", slug), Err: err}
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
	t, err = s.Create(ctx, actor, TenantInput{Slug: model.DefaultTenantSlug, Issuer: issuer})
	if errors.Is(err, model.ErrConflict) {
		// Another process (a second replica, a concurrent CLI call) won the race.
		t, err = s.Store.GetBySlug(ctx, model.DefaultTenantSlug)
		return t, false, wrapLookup(err, model.DefaultTenantSlug)
	}
	return t, err == nil, err
}

// Get finds a tenant by slug; a missing one is a NotFoundError naming it.
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
		return &NotFoundError{Msg: fmt.Sprintf("no tenant with slug %q", slug), Err: err}
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
			return &ConflictError{Msg: fmt.Sprintf("host %q is already used by tenant %q", h, other.Slug), Err: model.ErrConflict}
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
	e := model.AuditEvent{
		TenantID: t.ID, At: s.Now().UTC(), Actor: actor, Action: action,
		Target: "tenant:" + t.ID, Detail: detail,
	}
	if err := s.Audit.Append(ctx, e); err != nil {
		return fmt.Errorf("record %s for tenant %q: %w", action, t.Slug, err)
	}
	return nil
}

func (in TenantInput) normalized() TenantInput {
	in.Slug = strings.TrimSpace(in.Slug)
	if in.Name = strings.TrimSpace(in.Name); in.Name == "" {
		in.Name = in.Slug
	}
	in.Issuer = normalizeIssuer(in.Issuer)
	in.Hosts = normalizeHosts(in.Hosts)
	in.AfterLogoutURL = strings.TrimSpace(in.AfterLogoutURL)
	return in
}

func (in TenantInput) validate() error {
	var ps problems
	if !slugPattern.MatchString(in.Slug) {
		ps.add("slug", "%q must be 1-63 lower-case letters, digits or hyphens, starting with a letter or digit", in.Slug)
	}
	ps.check("name", checkName(in.Name))
	ps.check("issuer", checkIssuer(in.Issuer))
	for _, h := range in.Hosts {
		ps.check("host", checkHost(h))
	}
	ps.check("after_logout_url", checkAfterLogoutURL(in.AfterLogoutURL))
	return ps.err()
}

func (p TenantPatch) normalized() TenantPatch {
	p.Name = trimmed(p.Name)
	p.AfterLogoutURL = trimmed(p.AfterLogoutURL)
	if p.Issuer != nil {
		v := normalizeIssuer(*p.Issuer)
		p.Issuer = &v
	}
	if p.Hosts != nil {
		v := normalizeHosts(*p.Hosts)
		p.Hosts = &v
	}
	return p
}

func (p TenantPatch) validate() error {
	var ps problems
	if p.fields() == "" {
		ps.add("", "nothing to change")
	}
	if p.Name != nil {
		ps.check("name", checkName(*p.Name))
	}
	if p.Issuer != nil {
		ps.check("issuer", checkIssuer(*p.Issuer))
	}
	if p.Hosts != nil {
		for _, h := range *p.Hosts {
			ps.check("host", checkHost(h))
		}
	}
	if p.AfterLogoutURL != nil {
		ps.check("after_logout_url", checkAfterLogoutURL(*p.AfterLogoutURL))
	}
	return ps.err()
}

func (p TenantPatch) apply(t model.Tenant) model.Tenant {
	set(&t.Name, p.Name)
	set(&t.Issuer, p.Issuer)
	set(&t.AfterLogoutURL, p.AfterLogoutURL)
	if p.Hosts != nil {
		t.Hosts = slices.Clone(*p.Hosts)
	}
	return t
}

// fields names what p changes, for the audit trail (names, never values).
func (p TenantPatch) fields() string {
	var f []string
	for name, set := range map[string]bool{
		"name": p.Name != nil, "issuer": p.Issuer != nil,
		"hosts": p.Hosts != nil, "after_logout_url": p.AfterLogoutURL != nil,
	} {
		if set {
			f = append(f, name)
		}
	}
	slices.Sort(f)
	return strings.Join(f, ",")
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	v := strings.TrimSpace(*s)
	return &v
}

// normalizeIssuer trims, drops trailing slashes and lower-cases the host, so
// "https://SSO.example.org/" and "https://sso.example.org" name one issuer:
// relying parties compare issuers as exact strings.
func normalizeIssuer(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		u.Host = strings.ToLower(u.Host)
		return u.String()
	}
	return s
}

// normalizeHosts lower-cases and de-duplicates; invalid entries are kept for
// validate to report.
func normalizeHosts(hosts []string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, strings.ToLower(strings.TrimSpace(h)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var hostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func checkHost(h string) string {
	switch {
	case h == "":
		return "must not be empty"
	case strings.Contains(h, "://"):
		return fmt.Sprintf("%q must be a bare host name, without a scheme", h)
	case strings.ContainsAny(h, "/?#"):
		return fmt.Sprintf("%q must be a bare host name, without a path", h)
	case strings.Contains(h, ":"):
		return fmt.Sprintf("%q must be a bare host name, without a port (tenants are chosen by host name alone)", h)
	case len(h) > 253:
		return fmt.Sprintf("%q is longer than 253 characters", h)
	}
	for _, label := range strings.Split(h, ".") {
		if !hostLabel.MatchString(label) {
			return fmt.Sprintf("%q is not a valid host name (letters, digits and hyphens in dot-separated labels)", h)
		}
	}
	return ""
}

func checkIssuer(s string) string {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return "is required"
	case err != nil || u.Scheme != "https" || u.Hostname() == "":
		return fmt.Sprintf("%q must be an absolute https:// URL", s)
	case u.User != nil:
		return fmt.Sprintf("%q must not contain user info", s)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Sprintf("%q must not have a query or fragment", s)
	}
	if msg := checkHost(u.Hostname()); msg != "" && net.ParseIP(u.Hostname()) == nil {
		return "host " + msg
	}
	return ""
}

func checkAfterLogoutURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "":
		return fmt.Sprintf("%q must be an absolute https:// URL", s)
	case u.User != nil || u.Fragment != "":
		return fmt.Sprintf("%q must not contain user info or a fragment", s)
	}
	return ""
}

func checkName(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case len([]rune(s)) > 200:
		return "must be at most 200 characters"
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "must not contain control characters"
	}
	return ""
}

// Problem is one thing wrong with an input, named by its field so a form or
// the CLI can point at it.
type Problem struct {
	Field   string
	Message string
}

// ValidationError lists every problem with an input at once, so an operator
// fixes them in one go instead of one per attempt.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return strings.Join(msgs, "; ")
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

type problems []Problem

func (ps *problems) add(field, format string, a ...any) {
	*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf(format, a...)})
}

func (ps *problems) check(field, msg string) {
	if msg != "" {
		*ps = append(*ps, Problem{Field: field, Message: msg})
	}
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

// ConflictError says in plain words what is already taken; it unwraps to the
// store's model.ErrConflict.
type ConflictError struct {
	Msg string
	Err error
}

func (e *ConflictError) Error() string { return e.Msg }
func (e *ConflictError) Unwrap() error { return e.Err }

// NotFoundError names what is missing; it unwraps to model.ErrNotFound.
type NotFoundError struct {
	Msg string
	Err error
}

func (e *NotFoundError) Error() string { return e.Msg }
func (e *NotFoundError) Unwrap() error { return e.Err }
