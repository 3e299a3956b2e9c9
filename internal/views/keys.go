package views

import (
	"cmp"
	"slices"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// Key is a signing key's public metadata; never private material, sealed
// or not. Zero times are left out.
type Key struct {
	KID         string    `json:"kid"`
	Purpose     string    `json:"purpose"` // "jws" (tokens, the JWKS) or "saml" (the SAML metadata)
	Alg         string    `json:"alg"`
	State       string    `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
	ActivatedAt time.Time `json:"activated_at,omitzero"`
	RetiredAt   time.Time `json:"retired_at,omitzero"`
	RemoveAfter time.Time `json:"remove_after,omitzero"`
}

// Keys orders keys as an operator reads them: what signs now, what signs
// next, what is on its way out; then by purpose and algorithm, newest
// first.
func Keys(ks []model.SigningKey) []Key {
	rank := map[model.KeyState]int{model.KeyCurrent: 0, model.KeyNext: 1, model.KeyRetired: 2}
	ks = slices.Clone(ks)
	slices.SortStableFunc(ks, func(a, b model.SigningKey) int {
		return cmp.Or(cmp.Compare(rank[a.State], rank[b.State]), cmp.Compare(a.Purpose, b.Purpose), cmp.Compare(a.Alg, b.Alg),
			b.CreatedAt.Compare(a.CreatedAt))
	})
	out := make([]Key, len(ks))
	for i, k := range ks {
		out[i] = Key{KID: k.ID, Purpose: string(k.Purpose), Alg: k.Alg, State: string(k.State), CreatedAt: k.CreatedAt,
			ActivatedAt: k.ActivatedAt, RetiredAt: k.RetiredAt, RemoveAfter: k.RemoveAfter}
	}
	return out
}

// APIKey is an admin API key: its hash never, its value (Key) only in the
// answer to its creation, the one time it exists outside the caller's hands.
type APIKey struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Prefix    string    `json:"prefix"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	Key       string    `json:"key,omitempty"`
}

// APIKeyOf is the view of k without its value.
func APIKeyOf(k model.APIKey) APIKey {
	return APIKey{ID: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}
