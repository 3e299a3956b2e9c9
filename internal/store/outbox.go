package store

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// OutboxResult is how one delivery attempt of a claimed item ended.
type OutboxResult struct {
	// Status is OutboxSent, OutboxFailed (given up) or OutboxPending (try
	// again at NextAttemptAt).
	Status        model.OutboxStatus
	At            time.Time // when the attempt ended; DoneAt of a final status
	NextAttemptAt time.Time // for OutboxPending
	Error         string    // why the attempt failed; empty when sent
	Code          int       // the receiver's answer (an HTTP status); 0 when none
}

// OutboxQuery selects a page of one tenant's items, newest first.
type OutboxQuery struct {
	Kind   string // "" for every kind
	Stream string // "" for every stream
	// StreamPrefix selects the streams that start with it exactly (a
	// webhook endpoint's items: "<endpoint id>:"); "" for every stream.
	StreamPrefix string
	Before       int64 // cursor: items with ID < Before; 0 for the newest
	Limit        int
}

// Outbox stores what is to be sent later, so that a change and the notice
// it causes commit together and nothing is lost by a crash or a restart.
// Items are claimed by one deliverer at a time: a claim is a lease on the
// item, taken in one atomic statement, so two replicas never hold one item
// at once, and an item whose deliverer died is claimed again once its claim
// has run out.
type Outbox interface {
	// Enqueue stores it as a new pending item (ID, Status, Attempts and the
	// claim are set by the store) and returns its id. ErrNotFound when the
	// tenant does not exist.
	Enqueue(ctx context.Context, it model.OutboxItem) (int64, error)
	// Claim takes up to limit pending items of the given kinds, across all
	// tenants, whose NextAttemptAt is at or before now and which nobody holds (unclaimed
	// or claim run out), oldest first, never an item behind an older
	// pending one of its stream; it gives them to holder until `until` and
	// counts an attempt on each. Of replicas claiming at once, each item
	// goes to exactly one.
	// A replica claims only the kinds it can deliver.
	Claim(ctx context.Context, holder string, kinds []string, now, until time.Time, limit int) ([]model.OutboxItem, error)
	// Finish records the end of holder's attempt and releases the claim.
	// It reports false, changing nothing, when holder no longer holds the
	// item (its claim ran out and another replica took it) or the item is
	// no longer pending.
	Finish(ctx context.Context, id int64, holder string, r OutboxResult) (bool, error)
	Get(ctx context.Context, tenantID string, id int64) (model.OutboxItem, error)
	List(ctx context.Context, tenantID string, q OutboxQuery) (Page[model.OutboxItem], error)
	// DeleteDone spans all tenants (the sweeper's): it removes sent and
	// failed items whose DoneAt is strictly before `before`.
	DeleteDone(ctx context.Context, before time.Time) (int64, error)
}
