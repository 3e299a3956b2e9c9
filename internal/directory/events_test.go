package directory_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/webhooks"
)

// heard is one webhook delivery as its endpoint would receive it.
type heard struct {
	endpoint string
	Type     string          `json:"type"`
	Data     json.RawMessage `json:"data"`
}

// collector stands in for the webhook deliverer: it keeps what the outbox
// hands it, so a test sees exactly what each change queued.
type collector struct{ got []heard }

func (c *collector) Deliver(_ context.Context, d outbox.Delivery) (int, error) {
	var msg webhooks.Message
	if err := json.Unmarshal(d.Payload, &msg); err != nil {
		return 0, err
	}
	h := heard{endpoint: msg.Endpoint}
	if err := json.Unmarshal(msg.Body, &h); err != nil {
		return 0, err
	}
	c.got = append(c.got, h)
	return http.StatusNoContent, nil
}

var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type eventsRig struct {
	svc    *directory.Service
	tenant string
	disp   *outbox.Dispatcher
	col    *collector
}

func (r eventsRig) add(t *testing.T, in directory.MemberInput) model.Member {
	t.Helper()
	m, err := r.svc.AddMember(t.Context(), "cli", r.tenant, in)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newEventsRig(t *testing.T, st store.Store) eventsRig {
	ctx := t.Context()
	ten := model.Tenant{ID: "t1", Slug: "default", Name: "default", Issuer: "https://localhost:8443", CreatedAt: clock, UpdatedAt: clock}
	if err := st.Tenants().Create(ctx, ten); err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return clock }
	q := &outbox.Queue{Keyring: keys, Now: now}
	svc := &directory.Service{Members: st.Members(), Groups: st.Groups(), Sessions: st.Sessions(), Audit: st.Audit(),
		Grants: st.Grants(), Clients: st.Clients(), Atomic: st.Atomic, Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}), Now: now,
		Events: &webhooks.Events{Now: now, Queue: func(context.Context) (*outbox.Queue, error) { return q, nil }}}
	col := &collector{}
	disp := &outbox.Dispatcher{Store: st.Outbox(), Audit: st.Audit(), Keyring: keys, Holder: "r1", Now: now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Kinds:  map[string]outbox.Kind{webhooks.Kind: {Deliverer: col, Policy: webhooks.Policy}}}
	return eventsRig{svc: svc, tenant: ten.ID, disp: disp, col: col}
}

func (r eventsRig) endpoint(t *testing.T, st store.Store, id string, disabled bool, events ...string) {
	e := model.WebhookEndpoint{ID: id, TenantID: r.tenant, URL: "https://" + id + ".example/hooks", Events: events,
		Disabled: disabled, Secrets: []model.ClientSecret{{Ciphertext: "sealed", CreatedAt: clock}}, CreatedAt: clock, UpdatedAt: clock}
	if err := st.WebhookEndpoints().Create(t.Context(), e); err != nil {
		t.Fatal(err)
	}
}

// drain delivers everything queued and returns it, in delivery order.
func (r eventsRig) drain(t *testing.T) []heard {
	t.Helper()
	for {
		n, err := r.disp.RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			got := r.col.got
			r.col.got = nil
			return got
		}
	}
}

func types(hs []heard, endpoint string) []string {
	var out []string
	for _, h := range hs {
		if h.endpoint == endpoint {
			out = append(out, h.Type)
		}
	}
	return out
}

func expectTypes(t *testing.T, hs []heard, endpoint string, want ...string) {
	t.Helper()
	if got := types(hs, endpoint); !slices.Equal(got, want) {
		t.Fatalf("%s heard %v, want %v", endpoint, got, want)
	}
}

// TestChangesQueueWebhookEvents walks every directory change PRODUCT.md
// names as a webhook event, on each database: each queues its event (and
// only it) for every endpoint that wants it, with the member (or the group
// and member) as the admin API shows them; a change that alters nothing
// visible queues nothing; and a change that fails queues nothing either,
// since the event is written in the change's own transaction.
func TestChangesQueueWebhookEvents(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.New(t)
			r := newEventsRig(t, st)
			ctx := t.Context()
			r.endpoint(t, st, "all", false, model.WebhookEvents...)
			r.endpoint(t, st, "offboarding", false, model.EventMemberDisabled, model.EventMemberDeleted)
			r.endpoint(t, st, "off", true, model.WebhookEvents...)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}

			m := r.add(t, directory.MemberInput{Email: "ada@example.org", Name: "Ada"})
			hs := r.drain(t)
			expectTypes(t, hs, "all", model.EventMemberCreated)
			expectTypes(t, hs, "offboarding")
			expectTypes(t, hs, "off")
			var created struct {
				ID     string `json:"id"`
				Email  string `json:"email"`
				Groups []any  `json:"groups"`
			}
			must(json.Unmarshal(hs[0].Data, &created))
			if created.ID != m.ID || created.Email != "ada@example.org" || created.Groups == nil || len(created.Groups) != 0 {
				t.Fatalf("member.created data %s", hs[0].Data)
			}

			name, status := "Ada L.", model.StatusExpired
			_, err := r.svc.UpdateMember(ctx, "cli", r.tenant, m.ID, directory.MemberPatch{Name: &name})
			must(err)
			expectTypes(t, r.drain(t), "all", model.EventMemberUpdated)
			_, err = r.svc.UpdateMember(ctx, "cli", r.tenant, m.ID, directory.MemberPatch{Status: &status})
			must(err)
			hs = r.drain(t)
			expectTypes(t, hs, "all", model.EventMemberStatusChanged)
			if !json.Valid(hs[0].Data) || !containsJSON(t, hs[0].Data, "status", "expired") {
				t.Fatalf("status_changed data %s", hs[0].Data)
			}

			must(r.svc.SetPassword(ctx, "cli", r.tenant, m.ID, "correct horse battery staple"))
			expectTypes(t, r.drain(t), "all", model.EventMemberUpdated) // has_password turned true
			must(r.svc.SetPassword(ctx, "cli", r.tenant, m.ID, "another horse battery staple"))
			expectTypes(t, r.drain(t), "all") // nothing a partner sees changed

			_, err = r.svc.DisableMember(ctx, "cli", r.tenant, m.ID)
			must(err)
			hs = r.drain(t)
			expectTypes(t, hs, "all", model.EventMemberDisabled)
			expectTypes(t, hs, "offboarding", model.EventMemberDisabled)
			_, err = r.svc.DisableMember(ctx, "cli", r.tenant, m.ID)
			must(err)
			expectTypes(t, r.drain(t), "all")
			_, err = r.svc.EnableMember(ctx, "cli", r.tenant, m.ID)
			must(err)
			expectTypes(t, r.drain(t), "all", model.EventMemberEnabled)

			g, err := r.svc.AddGroup(ctx, "cli", r.tenant, directory.GroupInput{Name: "Board"})
			must(err)
			must(r.svc.AddToGroup(ctx, "cli", r.tenant, g.ID, m.ID))
			hs = r.drain(t)
			expectTypes(t, hs, "all", model.EventGroupMemberAdded)
			var added webhooks.Membership
			must(json.Unmarshal(hs[0].Data, &added))
			if added.Group.ID != g.ID || added.Group.Name != "Board" || added.Member.ID != m.ID ||
				len(added.Member.Groups) != 1 || added.Member.Groups[0].ID != g.ID {
				t.Fatalf("group.member_added data %s", hs[0].Data)
			}
			must(r.svc.AddToGroup(ctx, "cli", r.tenant, g.ID, m.ID)) // already in: no change, no event
			expectTypes(t, r.drain(t), "all")
			must(r.svc.RemoveFromGroup(ctx, "cli", r.tenant, g.ID, m.ID))
			expectTypes(t, r.drain(t), "all", model.EventGroupMemberRemoved)
			must(r.svc.AddToGroup(ctx, "cli", r.tenant, g.ID, m.ID))
			r.drain(t)
			must(r.svc.DeleteGroup(ctx, "cli", r.tenant, g.ID))
			hs = r.drain(t)
			expectTypes(t, hs, "all", model.EventGroupMemberRemoved)
			var removed webhooks.Membership
			must(json.Unmarshal(hs[0].Data, &removed))
			if removed.Group.ID != g.ID || removed.Member.ID != m.ID || len(removed.Member.Groups) != 0 {
				t.Fatalf("group.member_removed on delete: %s", hs[0].Data)
			}

			// A failed change queues nothing: the email is taken.
			other := r.add(t, directory.MemberInput{Email: "grace@example.org", Name: "Grace"})
			r.drain(t)
			taken := "ada@example.org"
			if _, err := r.svc.UpdateMember(ctx, "cli", r.tenant, other.ID, directory.MemberPatch{Email: &taken, Status: &status}); err == nil {
				t.Fatal("a taken email was accepted")
			}
			expectTypes(t, r.drain(t), "all")

			g2, err := r.svc.AddGroup(ctx, "cli", r.tenant, directory.GroupInput{Name: "Staff"})
			must(err)
			must(r.svc.AddToGroup(ctx, "cli", r.tenant, g2.ID, m.ID))
			r.drain(t)
			must(r.svc.DeleteMember(ctx, "cli", r.tenant, m.ID))
			hs = r.drain(t)
			expectTypes(t, hs, "all", model.EventMemberDeleted)
			expectTypes(t, hs, "offboarding", model.EventMemberDeleted)
			if !containsJSON(t, hs[0].Data, "id", m.ID) || !json.Valid(hs[0].Data) ||
				!slices.ContainsFunc(memberGroups(t, hs[0].Data), func(id string) bool { return id == g2.ID }) {
				t.Fatalf("member.deleted data lacks the member as they were: %s", hs[0].Data)
			}
		})
	}
}

// TestOneChangeSeveralEvents: a patch that changes the status and a
// profile field is both a status change and an update, in that order.
func TestOneChangeSeveralEvents(t *testing.T) {
	st := storetest.NewSQLite(t)
	r := newEventsRig(t, st)
	r.endpoint(t, st, "all", false, model.WebhookEvents...)
	m := r.add(t, directory.MemberInput{Email: "ada@example.org", Name: "Ada"})
	r.drain(t)
	name, status := "Ada L.", model.StatusGracePeriod
	if _, err := r.svc.UpdateMember(t.Context(), "cli", r.tenant, m.ID, directory.MemberPatch{Name: &name, Status: &status}); err != nil {
		t.Fatal(err)
	}
	expectTypes(t, r.drain(t), "all", model.EventMemberStatusChanged, model.EventMemberUpdated)
}

func containsJSON(t *testing.T, data json.RawMessage, key, want string) bool {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m[key] == want
}

func memberGroups(t *testing.T, data json.RawMessage) []string {
	t.Helper()
	var m struct {
		Groups []struct{ ID string } `json:"groups"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range m.Groups {
		ids = append(ids, g.ID)
	}
	return ids
}
