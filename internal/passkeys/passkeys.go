// Package passkeys is WebAuthn for members (go-webauthn): registering
// passkeys — several per member, each named and removable — and proving
// one, either as the second factor after a password or alone, as a
// passwordless sign-in with a discoverable credential.
//
// The relying party is the tenant: its id is the host of the tenant's
// issuer, and only the issuer's origin is accepted. Each ceremony's state
// (its challenge) travels sealed in the page's form, bound to the browser
// (its CSRF cookie) and, for a registration, to the session; it lives ten
// minutes and is spent once in the store before the response is checked,
// so a captured response cannot be replayed and every challenge gets one
// try. A use must advance the authenticator's signature counter (or leave
// it at zero, for authenticators that keep none) in one atomic update. A
// disabled member's passkeys stop working at once, guesses are throttled
// like passwords, and every enrolment, removal and failure is audited.
package passkeys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/throttle"
)

// Errors a caller shows the member; none carries anything secret.
var (
	// ErrMalformed: the browser's response is not a WebAuthn response.
	ErrMalformed = errors.New("passkeys: malformed response")
	// ErrExpired: the ceremony's state is missing, too old, spent, or was
	// made for another browser or member: start again.
	ErrExpired = errors.New("passkeys: ceremony expired")
	// ErrRefused: the response does not prove a passkey of an active
	// member (wrong challenge, origin or relying party, bad signature,
	// unknown credential, counter gone backwards, disabled member): one
	// answer for all.
	ErrRefused = errors.New("passkeys: passkey refused")
	// ErrBadName: a new name is empty, longer than MaxNameLen characters
	// or holds a control character. A rename refuses it rather than
	// repairing it (unlike an enrolment, which falls back to a default):
	// the member is there to read the answer and type again.
	ErrBadName = errors.New("passkeys: bad name")
)

// ceremonyTTL bounds how long a page's challenge stays good: long enough
// for a member to find their key, short enough that a stale page fails.
const ceremonyTTL = 10 * time.Minute

// maxResponse bounds a browser's response before it is parsed.
const maxResponse = 64 << 10

// MaxNameLen bounds a passkey's name, in characters.
const MaxNameLen = 64

// Service runs the ceremonies. Every field is required.
type Service struct {
	Passkeys store.Passkeys
	Members  store.Members
	// Markers spends each ceremony's state once ("webauthn:" ids).
	Markers  store.AuthResumes
	Secrets  *secrets.Keyring
	Throttle *throttle.Limiter
	Audit    store.Audit
	Logger   *slog.Logger
	Now      func() time.Time
}

// relyingParty is the tenant as a WebAuthn relying party.
func relyingParty(t model.Tenant) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(t.Issuer)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("passkeys: tenant issuer %q has no host", t.Issuer)
	}
	name := t.Name
	if name == "" {
		name = "Guildgate"
	}
	timeout := webauthn.TimeoutConfig{Timeout: 5 * time.Minute, TimeoutUVD: 5 * time.Minute}
	return webauthn.New(&webauthn.Config{
		RPID: u.Hostname(), RPDisplayName: name, RPOrigins: []string{u.Scheme + "://" + u.Host},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts:              webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
}

// user is a member as go-webauthn sees them. The user handle is the member
// id: random, not personal, and how a discoverable credential names its
// member.
type user struct {
	m     model.Member
	creds []webauthn.Credential
}

func (u user) WebAuthnID() []byte   { return []byte(u.m.ID) }
func (u user) WebAuthnName() string { return u.m.Email }
func (u user) WebAuthnDisplayName() string {
	if u.m.Name != "" {
		return u.m.Name
	}
	return u.m.Email
}
func (u user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

var _ webauthn.User = user{}

// userOf loads the member's credentials.
func (s *Service) userOf(ctx context.Context, m model.Member) (user, []model.Passkey, error) {
	list, err := s.Passkeys.Passkeys(ctx, m.TenantID, m.ID)
	if err != nil {
		return user{}, nil, fmt.Errorf("passkeys: list: %w", err)
	}
	u := user{m: m}
	for _, p := range list {
		c, err := decodeRecord(p)
		if err != nil {
			return user{}, nil, err
		}
		u.creds = append(u.creds, c)
	}
	return u, list, nil
}

// List is the member's passkeys, oldest first.
func (s *Service) List(ctx context.Context, tenantID, memberID string) ([]model.Passkey, error) {
	list, err := s.Passkeys.Passkeys(ctx, tenantID, memberID)
	if err != nil {
		return nil, fmt.Errorf("passkeys: list: %w", err)
	}
	return list, nil
}

// Remove deletes one of the member's passkeys; actor is the member or an
// administrator. It reports whether there was one.
func (s *Service) Remove(ctx context.Context, tenantID, memberID, id, actor, ip string) (bool, error) {
	gone, err := s.Passkeys.DeletePasskey(ctx, tenantID, memberID, id)
	if err != nil {
		return false, fmt.Errorf("passkeys: remove: %w", err)
	}
	if gone {
		s.audit(ctx, tenantID, actor, "passkey.removed", memberID, ip, map[string]string{"credential": short(id)})
	}
	return gone, nil
}

// Rename gives one of the member's passkeys a new name (trimmed; see
// ErrBadName). Another member's credential id is model.ErrNotFound, as a
// missing one is, so an id tells nobody whose it is.
func (s *Service) Rename(ctx context.Context, tenantID, memberID, id, name, actor, ip string) error {
	name = inputs.Trim(name)
	if inputs.CheckText(name, true, MaxNameLen) != "" {
		return ErrBadName
	}
	done, err := s.Passkeys.RenamePasskey(ctx, tenantID, memberID, id, name)
	if err != nil {
		return fmt.Errorf("passkeys: rename: %w", err)
	}
	if !done {
		return fmt.Errorf("passkeys: rename: %w", model.ErrNotFound)
	}
	s.audit(ctx, tenantID, actor, "passkey.renamed", memberID, ip, map[string]string{"credential": short(id), "name": name})
	return nil
}

// short names a credential in the audit log without its whole id.
func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func (s *Service) audit(ctx context.Context, tenantID, actor, action, memberID, ip string, detail map[string]string) {
	target := ""
	if memberID != "" {
		target = "member:" + memberID
	}
	auditlog.BestEffort(ctx, s.Audit, s.Logger, model.AuditEvent{TenantID: tenantID, At: s.Now().UTC(), Actor: actor,
		Action: action, Target: target, IP: ip, Detail: detail})
}
