package cli

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type jsonKey struct {
	KID         string    `json:"kid"`
	Purpose     string    `json:"purpose"`
	Alg         string    `json:"alg"`
	State       string    `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
	ActivatedAt time.Time `json:"activated_at"`
	RetiredAt   time.Time `json:"retired_at"`
	RemoveAfter time.Time `json:"remove_after"`
}

func masterKey(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

func TestKeysRotateAndList(t *testing.T) {
	h := newHarness(t)
	h.env["GUILDGATE_MASTER_KEY"] = masterKey(1)
	var none []jsonKey
	if h.okJSON(&none, "", "keys", "list"); len(none) != 0 {
		t.Fatalf("fresh install lists %v", none)
	}
	var rotated []jsonKey
	h.okJSON(&rotated, "", "keys", "rotate")
	states := map[string]map[string]int{}
	for _, k := range rotated {
		slot := k.Purpose + ":" + k.Alg
		if states[slot] == nil {
			states[slot] = map[string]int{}
		}
		states[slot][k.State]++
		if k.State == "retired" && !k.RemoveAfter.Equal(k.RetiredAt.Add(24*time.Hour)) {
			t.Errorf("retired %s: retired %v, remove after %v", k.KID, k.RetiredAt, k.RemoveAfter)
		}
		if k.State == "next" && (!k.ActivatedAt.IsZero() || k.KID == "") {
			t.Errorf("next key %+v", k)
		}
	}
	for _, slot := range []string{"jws:RS256", "jws:ES256", "jws:EdDSA", "saml:RS256"} {
		if s := states[slot]; s["current"] != 1 || s["next"] != 1 || s["retired"] != 1 {
			t.Errorf("%s after the first rotation: %v", slot, s)
		}
	}
	if len(states) != 4 {
		t.Errorf("key slots after the first rotation: %v", states)
	}
	if rotated[0].State != "current" || rotated[len(rotated)-1].State != "retired" {
		t.Errorf("order: %v first, %v last; want current first, retired last", rotated[0].State, rotated[len(rotated)-1].State)
	}
	var listed []jsonKey
	if h.okJSON(&listed, "", "keys", "list"); !equalJSON(t, listed, rotated) {
		t.Fatalf("list %v\nrotate printed %v", listed, rotated)
	}
	text := h.ok("", "keys", "list")
	if !strings.HasPrefix(text, "KID") || !strings.Contains(text, "REMOVE-AFTER") || strings.Count(text, "\n") != 13 {
		t.Errorf("text output:\n%s", text)
	}
}

// TestKeysNeverPrintPrivateMaterial: neither the sealed private key nor the
// stored JWK shows up in any output.
func TestKeysNeverPrintPrivateMaterial(t *testing.T) {
	h := newHarness(t)
	h.env["GUILDGATE_MASTER_KEY"] = masterKey(1)
	out := h.ok("", "keys", "rotate", "--json") + h.ok("", "keys", "list", "--json") + h.ok("", "keys", "list")
	for _, bad := range []string{"v1.", "private", "PRIVATE", `"d"`, `"n"`, `"x"`} {
		if strings.Contains(out, bad) {
			t.Fatalf("output contains %q:\n%s", bad, out)
		}
	}
}

// TestKeysRotateRefusesWrongMasterKey: with another master key nothing is
// sealed under it and the key set is unchanged.
func TestKeysRotateRefusesWrongMasterKey(t *testing.T) {
	h := newHarness(t)
	h.env["GUILDGATE_MASTER_KEY"] = masterKey(1)
	h.ok("", "keys", "rotate")
	before := h.ok("", "keys", "list", "--json")
	h.env["GUILDGATE_MASTER_KEY"] = masterKey(2)
	h.fails(1, "master key", "", "keys", "rotate")
	if after := h.ok("", "keys", "list", "--json"); after != before {
		t.Fatalf("a failed rotation changed the keys:\n%s\n%s", before, after)
	}
	h.env["GUILDGATE_MASTER_KEY"] = "not base64"
	h.fails(2, "GUILDGATE_MASTER_KEY", "", "keys", "rotate")
}

func TestKeysMasterKeyFileAndTenants(t *testing.T) {
	h := newHarness(t)
	r := h.run("keys", "rotate", "--json")
	if r.code != 0 || !strings.Contains(r.stderr, "created the master key") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(h.db), "master.key")); err != nil {
		t.Fatalf("master key file: %v", err)
	}
	h.ok("", "keys", "rotate") // the file's key opens what it sealed
	h.ok("", "tenant", "add", "acme", "--issuer", "https://sso.acme.example")
	var acme []jsonKey
	if h.okJSON(&acme, "", "keys", "list", "--tenant", "acme"); len(acme) != 0 {
		t.Fatalf("another tenant's keys listed for acme: %v", acme)
	}
	h.fails(2, `no tenant with slug "nope"`, "", "keys", "list", "--tenant", "nope")
	h.fails(2, "unexpected argument", "", "keys", "rotate", "extra")
}
