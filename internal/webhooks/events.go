package webhooks

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/views"
)

// Events turns directory changes into webhook deliveries. The directory
// service calls it inside the transaction of each change, so a change and
// its deliveries commit together or not at all; every surface that changes
// the directory (admin API, console, command line, SCIM, federated sign-in,
// the member's own page) goes through that service, so all of them emit.
type Events struct {
	// Queue returns the outbox queue. It is asked only when an endpoint
	// wants an event, so that a command-line change in a tenant without
	// endpoints needs no master key (the queue seals with it).
	Queue func(ctx context.Context) (*outbox.Queue, error)
	Now   func() time.Time
}

// Membership is the data of group.member_added and group.member_removed:
// the group and the member (with their groups after the change) as the
// admin API shows them.
type Membership struct {
	Group  views.Group  `json:"group"`
	Member views.Member `json:"member"`
}

// Member queues typ about m (data: the member with their groups, read in
// tx, so a deleted member's event must be queued before the delete).
func (ev *Events) Member(ctx context.Context, tx store.Tx, typ string, m model.Member) error {
	return ev.emit(ctx, tx, m.TenantID, m.ID, typ, func() (any, error) {
		gs, err := tx.Groups().ListForMember(ctx, m.TenantID, m.ID)
		return views.MemberWithGroups(m, gs), err
	})
}

// Changed queues an event for each kind of change from old to m:
// member.status_changed, member.disabled or member.enabled, and
// member.updated when anything else a partner sees changed (a profile
// field, admin, whether a password is set). A change that alters nothing
// visible (a new password hash replacing an old one) notifies nobody.
func (ev *Events) Changed(ctx context.Context, tx store.Tx, old, m model.Member) error {
	var types []string
	if old.Status != m.Status {
		types = append(types, model.EventMemberStatusChanged)
	}
	switch {
	case !old.Disabled && m.Disabled:
		types = append(types, model.EventMemberDisabled)
	case old.Disabled && !m.Disabled:
		types = append(types, model.EventMemberEnabled)
	}
	before, after := views.MemberOf(old), views.MemberOf(m)
	before.Status, before.Disabled, before.UpdatedAt = after.Status, after.Disabled, after.UpdatedAt
	if !reflect.DeepEqual(before, after) {
		types = append(types, model.EventMemberUpdated)
	}
	for _, typ := range types {
		if err := ev.Member(ctx, tx, typ, m); err != nil {
			return err
		}
	}
	return nil
}

// Membership queues typ about m's membership of g.
func (ev *Events) Membership(ctx context.Context, tx store.Tx, typ string, g model.Group, m model.Member) error {
	return ev.emit(ctx, tx, m.TenantID, m.ID, typ, func() (any, error) {
		gs, err := tx.Groups().ListForMember(ctx, m.TenantID, m.ID)
		return Membership{Group: views.GroupOf(g), Member: views.MemberWithGroups(m, gs)}, err
	})
}

// emit queues the event for every enabled endpoint of the tenant that
// wants typ, in stream memberID (a member's events reach each endpoint in
// the order they were made). data is built only when someone wants it.
func (ev *Events) emit(ctx context.Context, tx store.Tx, tenantID, memberID, typ string, data func() (any, error)) error {
	es, err := wanting(ctx, tx.WebhookEndpoints(), tenantID, typ)
	if err != nil || len(es) == 0 {
		return err
	}
	d, err := data()
	if err != nil {
		return fmt.Errorf("webhooks: data of %s: %w", typ, err)
	}
	q, err := ev.Queue(ctx)
	if err != nil {
		return fmt.Errorf("webhooks: %s: %w", typ, err)
	}
	return put(ctx, q, tx.Outbox(), es, tenantID, memberID, Event{Type: typ, Timestamp: ev.Now().UTC(), Data: d})
}
