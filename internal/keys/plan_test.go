package keys

import (
	"fmt"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// TestPlanRepairs: damaged key sets (as a crash or manual edit could leave)
// come out with one current and one next key, losing nothing that signed.
func TestPlanRepairs(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	k := func(id string, state model.KeyState, age time.Duration) model.SigningKey {
		return model.SigningKey{ID: id, Alg: model.AlgES256, State: state, CreatedAt: now.Add(-age), ActivatedAt: now.Add(-age)}
	}
	tests := []struct {
		name         string
		in           []model.SigningKey
		rotate       bool
		current, nxt string // kids expected; "new" for a generated key
		retired      int
	}{
		{"empty", nil, false, "new", "new", 0},
		{"only next is promoted", []model.SigningKey{k("n", model.KeyNext, time.Hour)}, false, "n", "new", 0},
		{"two currents: newest kept", []model.SigningKey{k("old", model.KeyCurrent, 2*time.Hour), k("young", model.KeyCurrent, time.Hour), k("n", model.KeyNext, 0)}, false, "young", "n", 1},
		{"two nexts: longest published kept", []model.SigningKey{k("c", model.KeyCurrent, 0), k("n1", model.KeyNext, 2*time.Hour), k("n2", model.KeyNext, time.Hour)}, false, "c", "n1", 0},
		{"rotate", []model.SigningKey{k("c", model.KeyCurrent, 0), k("n", model.KeyNext, 0)}, true, "n", "new", 1},
		{"rotate without next", []model.SigningKey{k("c", model.KeyCurrent, 0)}, true, "new", "new", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			p := plan{now: now, retireFor: time.Hour, fresh: func(sl slot) (model.SigningKey, error) {
				n++
				return model.SigningKey{ID: fmt.Sprint("new", n), Purpose: sl.purpose, Alg: sl.alg, State: model.KeyNext}, nil
			}}
			out, changed, err := p.apply(tt.in, tt.rotate)
			if err != nil || !changed {
				t.Fatalf("changed=%v err=%v", changed, err)
			}
			var cur, nxt []string
			retired := 0
			for _, o := range out {
				if o.Alg != model.AlgES256 {
					continue
				}
				switch o.State {
				case model.KeyCurrent:
					cur = append(cur, o.ID)
					if !o.ActivatedAt.Equal(now) && tt.current != "c" && tt.current != "young" {
						t.Errorf("promoted key %s ActivatedAt %v", o.ID, o.ActivatedAt)
					}
				case model.KeyNext:
					nxt = append(nxt, o.ID)
				case model.KeyRetired:
					retired++
					if !o.RemoveAfter.Equal(now.Add(time.Hour)) || !o.RetiredAt.Equal(now) {
						t.Errorf("retired %s: %v..%v", o.ID, o.RetiredAt, o.RemoveAfter)
					}
				}
			}
			if len(cur) != 1 || len(nxt) != 1 || !matchKid(cur[0], tt.current) || !matchKid(nxt[0], tt.nxt) || retired != tt.retired {
				t.Fatalf("current %v next %v retired %d", cur, nxt, retired)
			}
		})
	}
}

func matchKid(got, want string) bool {
	if want == "new" {
		return len(got) > 3 && got[:3] == "new"
	}
	return got == want
}

func TestPlanKeepsUnknownAlgorithmsAndPrunes(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	in := []model.SigningKey{
		{ID: "future", Alg: "ML-DSA-44", State: model.KeyCurrent},
		{ID: "gone", Alg: model.AlgRS256, State: model.KeyRetired, RemoveAfter: now},
		{ID: "stays", Alg: model.AlgRS256, State: model.KeyRetired, RemoveAfter: now.Add(time.Second)},
	}
	n := 0
	p := plan{now: now, fresh: func(sl slot) (model.SigningKey, error) {
		n++
		return model.SigningKey{ID: fmt.Sprint(sl.alg, n), Purpose: sl.purpose, Alg: sl.alg, State: model.KeyNext}, nil
	}}
	out, _, err := p.apply(in, false)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, o := range out {
		ids[o.ID] = true
	}
	if !ids["future"] || ids["gone"] || !ids["stays"] {
		t.Fatalf("kept %v", ids)
	}
}
