package keys

import (
	"fmt"
	"slices"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// algorithms are the asymmetric JWS algorithms every tenant holds keys for.
var algorithms = [...]string{model.AlgRS256, model.AlgES256, model.AlgEdDSA}

// Algorithms returns the JWS algorithms tenant keys sign with, for discovery.
func Algorithms() []string { return slices.Clone(algorithms[:]) }

// slot is one kind of key a tenant holds exactly one current and one next
// of: a purpose and an algorithm. SAML signs with RSA 2048 and SHA-256
// (RS256's key), the one choice every service provider accepts.
type slot struct {
	purpose model.KeyPurpose
	alg     string
}

var slots = [...]slot{
	{model.KeyForTokens, model.AlgRS256}, {model.KeyForTokens, model.AlgES256}, {model.KeyForTokens, model.AlgEdDSA},
	{model.KeyForSAML, model.AlgRS256},
}

// slotOf is k's slot; a key stored before purposes existed signs tokens.
func slotOf(k model.SigningKey) slot {
	p := k.Purpose
	if p == "" {
		p = model.KeyForTokens
	}
	return slot{p, k.Alg}
}

func supported(k model.SigningKey) bool { return slices.Contains(slots[:], slotOf(k)) }

// plan computes a tenant's next key set from its current one. It is pure
// apart from fresh, so it can run inside store.Keys.Replace and give the
// right answer whatever another replica committed a moment before.
type plan struct {
	now       time.Time
	retireFor time.Duration
	// fresh returns a new key of the slot in state next; see Manager.pool.
	fresh func(s slot) (model.SigningKey, error)
}

// apply returns keys with exactly one current and one next key per slot,
// every current key retired first when rotate is set, and retired keys past
// RemoveAfter dropped. changed reports whether anything differs.
func (p plan) apply(keys []model.SigningKey, rotate bool) (out []model.SigningKey, changed bool, err error) {
	bySlot := map[slot][]model.SigningKey{}
	for _, k := range keys {
		switch {
		case k.State == model.KeyRetired && !p.now.Before(k.RemoveAfter):
			changed = true // every token it signed has expired
		case supported(k):
			bySlot[slotOf(k)] = append(bySlot[slotOf(k)], k)
		default:
			out = append(out, k) // not ours to judge; kept untouched
		}
	}
	for _, sl := range slots {
		ks, ch, err := p.applySlot(sl, bySlot[sl], rotate)
		if err != nil {
			return nil, false, err
		}
		out, changed = append(out, ks...), changed || ch
	}
	return out, changed, uniqueIDs(out)
}

// applySlot does apply's work for the keys of one slot.
func (p plan) applySlot(sl slot, keys []model.SigningKey, rotate bool) ([]model.SigningKey, bool, error) {
	var current, next, rest []model.SigningKey
	for _, k := range keys {
		switch k.State {
		case model.KeyCurrent:
			current = append(current, k)
		case model.KeyNext:
			next = append(next, k)
		default:
			rest = append(rest, k)
		}
	}
	// Newest current first, so a repair keeps the key that signs today;
	// oldest next first, because it has been published longest.
	slices.SortFunc(current, func(a, b model.SigningKey) int { return b.ActivatedAt.Compare(a.ActivatedAt) })
	slices.SortFunc(next, func(a, b model.SigningKey) int { return a.CreatedAt.Compare(b.CreatedAt) })

	keep := 1
	if rotate {
		keep = 0
	}
	changed := len(current) > keep || len(next) > 1
	for _, k := range current[min(keep, len(current)):] {
		rest = append(rest, p.retire(k))
	}
	current = current[:min(keep, len(current))]
	if len(current) == 0 {
		if len(next) == 0 {
			k, err := p.fresh(sl)
			if err != nil {
				return nil, false, err
			}
			next = append(next, k)
		}
		promoted := next[0]
		promoted.State, promoted.ActivatedAt = model.KeyCurrent, p.now
		current, next, changed = []model.SigningKey{promoted}, next[1:], true
	}
	// A surplus next key has never signed anything, so dropping it is safe.
	next = next[:min(1, len(next))]
	if len(next) == 0 {
		k, err := p.fresh(sl)
		if err != nil {
			return nil, false, err
		}
		next, changed = []model.SigningKey{k}, true
	}
	return slices.Concat(current, next, rest), changed, nil
}

// retire stops k signing but keeps it published until every token it signed
// has expired.
func (p plan) retire(k model.SigningKey) model.SigningKey {
	k.State, k.RetiredAt, k.RemoveAfter = model.KeyRetired, p.now, p.now.Add(p.retireFor)
	return k
}

// due reports whether a current key has signed for longer than period.
func due(keys []model.SigningKey, now time.Time, period time.Duration) bool {
	for _, k := range keys {
		if k.State == model.KeyCurrent && supported(k) && !now.Before(k.ActivatedAt.Add(period)) {
			return true
		}
	}
	return false
}

// uniqueIDs guards the one property a kid must have. Random 96-bit ids make
// a clash practically impossible; if one happens the change is refused
// rather than publishing two keys under one kid.
func uniqueIDs(keys []model.SigningKey) error {
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k.ID] {
			return fmt.Errorf("keys: two signing keys share kid %q; retry", k.ID)
		}
		seen[k.ID] = true
	}
	return nil
}
