package scim

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// sequence is a recorded provisioning run (testdata/*.json): requests
// shaped as a directory sends them, each with the status and the part of
// the answer it relies on, and checks of what the store holds after it.
type sequence struct {
	Token string `json:"token"` // "acme" or "contoso"
	Steps []struct {
		Name   string            `json:"name"`
		Method string            `json:"method"`
		Path   string            `json:"path"`
		Body   json.RawMessage   `json:"body"`
		Status int               `json:"status"`
		Want   json.RawMessage   `json:"want"`
		Absent []string          `json:"absent"`
		Save   map[string]string `json:"save"` // placeholder → attribute of the answer
		Check  string            `json:"check"`
	} `json:"steps"`
}

// TestOktaSequence and TestEntraSequence replay what each directory sends
// over a user's and a group's life, on SQLite and PostgreSQL.
func TestOktaSequence(t *testing.T) {
	backends(t, func(t *testing.T, w *world) { w.replay("testdata/okta.json") })
}
func TestEntraSequence(t *testing.T) {
	backends(t, func(t *testing.T, w *world) { w.replay("testdata/entra.json") })
}

func (w *world) replay(file string) {
	t := w.t
	raw, err := os.ReadFile(file)
	must(t, err)
	var seq sequence
	must(t, json.Unmarshal(raw, &seq))
	token := map[string]string{"acme": w.acmeToken, "contoso": w.contosoToken}[seq.Token]
	vars := map[string]string{}
	fill := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{{"+k+"}}", v)
		}
		return s
	}
	for i, st := range seq.Steps {
		var body any
		if len(st.Body) > 0 {
			body = fill(string(st.Body))
		}
		res := w.do(st.Method, fill(st.Path), token, body)
		where := fmt.Sprintf("step %d (%s): %s %s", i+1, st.Name, st.Method, fill(st.Path))
		if res.status != st.Status {
			t.Fatalf("%s: status %d, want %d: %s", where, res.status, st.Status, res.raw)
		}
		if len(st.Want) > 0 {
			var want any
			must(t, json.Unmarshal([]byte(fill(string(st.Want))), &want))
			if path, ok := subset(want, any(res.body), ""); !ok {
				t.Fatalf("%s: answer differs at %s:\n%s", where, path, res.raw)
			}
		}
		for _, a := range st.Absent {
			if _, ok := res.body[a]; ok {
				t.Fatalf("%s: %s should be left out: %s", where, a, res.raw)
			}
		}
		for name, attr := range st.Save {
			vars[name], _ = res.body[attr].(string)
		}
		if st.Check != "" {
			w.check(st.Check, vars)
		}
	}
}

// subset reports whether got holds want: every key of a want object, every
// element of a want array at its index (an empty want array wants an empty
// one), every scalar equal.
func subset(want, got any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		for k, v := range w {
			if p, ok := subset(v, g[k], path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) < len(w) || (len(w) == 0 && len(g) != 0) {
			return path, false
		}
		for i, v := range w {
			if p, ok := subset(v, g[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	}
	return path, reflect.DeepEqual(want, got)
}

// check verifies what a step must have done to the store.
func (w *world) check(name string, vars map[string]string) {
	t := w.t
	ctx := t.Context()
	who, what, _ := strings.Cut(name, "-")
	id := vars[who]
	conn := map[string]model.Connection{"ada": w.acme, "bob": w.contoso}[who]
	m, err := w.st.Members().Get(ctx, "t1", id)
	must(t, err)
	switch what {
	case "created":
		if !m.EmailVerified || m.PasswordHash != "" || m.Disabled || m.Status != model.StatusCurrent {
			t.Fatalf("%s: member %+v", name, m)
		}
		ids, err := w.st.Identities().ListForMember(ctx, "t1", m.ID)
		must(t, err)
		if len(ids) != 1 || ids[0].ConnectionID != conn.ID || ids[0].Issuer != model.SCIMIssuer ||
			!strings.HasPrefix(ids[0].Subject, extPrefix) {
			t.Fatalf("%s: identities %+v", name, ids)
		}
		w.signedIn(m)
	case "disabled":
		if !m.Disabled {
			t.Fatalf("%s: member not disabled", name)
		}
		w.wantSignedOut(m)
	case "enabled":
		if m.Disabled {
			t.Fatalf("%s: member still disabled", name)
		}
	case "staff", "no-staff", "sales", "no-sales":
		local := map[string]string{"staff": "Staff", "sales": "Sales"}[strings.TrimPrefix(what, "no-")]
		in := slices.Contains(w.localGroups(m.ID), local)
		if in == strings.HasPrefix(what, "no-") {
			t.Fatalf("%s: local groups %v", name, w.localGroups(m.ID))
		}
	case "deleted":
		ids, err := w.st.Identities().ListForMember(ctx, "t1", m.ID)
		must(t, err)
		if !m.Disabled || len(ids) != 0 {
			t.Fatalf("%s: member %+v, identities %+v", name, m, ids)
		}
	default:
		t.Fatalf("no check %q", name)
	}
}

func (w *world) localGroups(memberID string) []string {
	gs, err := w.st.Groups().ListForMember(w.t.Context(), "t1", memberID)
	must(w.t, err)
	var names []string
	for _, g := range gs {
		names = append(names, g.Name)
	}
	return names
}

// signedIn gives the member a browser session and a grant to a partner
// app, as a sign-in would.
func (w *world) signedIn(m model.Member) {
	ctx := w.t.Context()
	s := model.Session{ID: "s-" + m.ID, TenantID: "t1", MemberID: m.ID, AuthTime: clock, CreatedAt: clock,
		LastSeenAt: clock, ExpiresAt: clock.Add(24 * time.Hour), AMR: []string{"pwd"}}
	must(w.t, w.st.Sessions().Create(ctx, s))
	must(w.t, w.st.Grants().Create(ctx, model.Grant{ID: "g-" + m.ID, TenantID: "t1", ClientID: w.client.ID,
		MemberID: m.ID, SessionID: s.ID, Scopes: []string{"openid"}, AuthTime: clock, CreatedAt: clock,
		ExpiresAt: clock.Add(24 * time.Hour)}))
}

// wantSignedOut requires the session ended and the grant (so every access
// and refresh token under it) revoked.
func (w *world) wantSignedOut(m model.Member) {
	ctx := w.t.Context()
	if _, err := w.st.Sessions().Get(ctx, "t1", "s-"+m.ID); err == nil {
		w.t.Fatal("the member's session survived deactivation")
	}
	g, err := w.st.Grants().Get(ctx, "t1", "g-"+m.ID)
	must(w.t, err)
	if g.RevokedAt.IsZero() {
		w.t.Fatal("the member's grant survived deactivation")
	}
}
