package passkeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
)

// Purposes of a ceremony: its state opens only for the step it was made for.
const (
	purposeRegister = "register"
	purposeSignIn   = "signin"
)

// Ceremony is what a page needs to run one: Options for the browser's
// navigator.credentials call (JSON, the WebAuthn options with base64url
// binary fields) and State, sealed, to come back with the response.
type Ceremony struct {
	Options []byte
	State   string
}

// state is a ceremony in flight: go-webauthn's session data (the
// challenge, the relying party, the allowed credentials), who it is for
// ("" for a passwordless sign-in) and when it began. ID spends it.
type state struct {
	ID       string               `json:"id"`
	MemberID string               `json:"member,omitempty"`
	Issued   int64                `json:"issued"`
	Session  webauthn.SessionData `json:"session"`
}

// stateAD binds sealed state to the tenant, the step and the browser.
func stateAD(tenantID, purpose, binding string) []byte {
	return secrets.AssociatedData("webauthn", tenantID, purpose, binding)
}

func (s *Service) seal(t model.Tenant, purpose, binding, memberID string, options any, sd *webauthn.SessionData) (Ceremony, error) {
	st := state{ID: ids.NewToken(16), MemberID: memberID, Issued: s.Now().Unix(), Session: *sd}
	plain, err := json.Marshal(st)
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkeys: encode state: %w", err)
	}
	sealed, err := s.Secrets.Encrypt(plain, stateAD(t.ID, purpose, binding))
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkeys: seal state: %w", err)
	}
	opts, err := json.Marshal(options)
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkeys: encode options: %w", err)
	}
	return Ceremony{Options: opts, State: sealed}, nil
}

// open returns the state sealed for this tenant, step and browser, if it
// is young enough; ErrExpired otherwise.
func (s *Service) open(t model.Tenant, purpose, binding, sealed string) (state, error) {
	if binding == "" || sealed == "" || len(sealed) > 8<<10 {
		return state{}, ErrExpired
	}
	plain, err := s.Secrets.Decrypt(sealed, stateAD(t.ID, purpose, binding))
	if err != nil {
		return state{}, ErrExpired
	}
	var st state
	if err := json.Unmarshal(plain, &st); err != nil || st.ID == "" {
		return state{}, ErrExpired
	}
	issued := time.Unix(st.Issued, 0)
	if age := s.Now().Sub(issued); age > ceremonyTTL || age < -time.Minute {
		return state{}, ErrExpired
	}
	return st, nil
}

// spend uses the state up: of two requests carrying it, one goes on. It
// runs before the response is checked, so a failed try spends it too.
func (s *Service) spend(ctx context.Context, tenantID string, st state) (bool, error) {
	first, err := s.Markers.Use(ctx, tenantID, "webauthn:"+st.ID, time.Unix(st.Issued, 0).Add(ceremonyTTL))
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return false, fmt.Errorf("passkeys: spend ceremony: %w", err)
	}
	return first && err == nil, nil
}

// record encodes a credential for the store; the counter lives in its own column.
func encodeRecord(c *webauthn.Credential) ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("passkeys: encode credential: %w", err)
	}
	return b, nil
}

func decodeRecord(p model.Passkey) (webauthn.Credential, error) {
	var c webauthn.Credential
	if err := json.Unmarshal(p.Record, &c); err != nil {
		return webauthn.Credential{}, fmt.Errorf("passkeys: decode credential %s: %w", short(p.ID), err)
	}
	c.Authenticator.SignCount = p.SignCount
	return c, nil
}

// BackupEligible reports whether a stored credential record may be synced
// off its device (a "synced passkey"), for amr's "swk" rather than "hwk".
func BackupEligible(record []byte) bool {
	var c webauthn.Credential
	return json.Unmarshal(record, &c) == nil && c.Flags.BackupEligible
}
