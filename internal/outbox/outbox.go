// Package outbox sends later what a change must make known (a mail, a
// webhook delivery) without ever losing it or sending it twice at once.
// The item is written by Queue.Put in the transaction of the change itself
// (pass the transaction's store.Outbox), so the change and its notice
// commit or roll back together. Dispatcher, run only by the replica holding
// the jobs lease, claims due items (a claim is a lease on the item, so two
// replicas never hold one), hands each to the deliverer of its kind, and
// records the outcome: sent, retried later with back-off, or given up and
// audited when the kind's window has closed.
//
// An item is marked sent the moment its deliverer returns, so a crash
// after the receiver accepted it and before that write is the one case in
// which it is delivered again; deliverers give the receiver a stable id
// (a mail's Message-ID, a webhook's webhook-id) to recognise the repeat.
//
// Payloads are sealed under the master key: a mail may carry a one-time
// link, and a database dump must not be able to use it.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

// Observer counts what happens to items, by kind and event (queued, sent,
// retried, failed); *metrics.Metrics is one.
type Observer interface {
	OutboxEvent(kind, event string)
}

// Queue writes items. Every field but Observer and Notify is required.
type Queue struct {
	Keyring *secrets.Keyring
	Now     func() time.Time
	// Observer counts queued items (nil: nobody counts).
	Observer Observer
	// Notify, when set, is called after an item is written, so a local
	// dispatcher can look at once rather than at its next poll. The item
	// may still be uncommitted: the dispatcher then simply finds nothing.
	Notify func()
}

// Put seals payload and writes it as a pending item of kind to st, which is
// the store's Outbox or, better, that of the transaction making the change.
// Items of one non-empty stream are delivered in the order they were put.
func (q *Queue) Put(ctx context.Context, st store.Outbox, tenantID, kind, stream string, payload []byte) (int64, error) {
	sealed, err := q.Keyring.Encrypt(payload, associatedData(tenantID, kind))
	if err != nil {
		return 0, fmt.Errorf("outbox: seal %s payload: %w", kind, err)
	}
	id, err := st.Enqueue(ctx, model.OutboxItem{TenantID: tenantID, Kind: kind, Stream: stream, Payload: sealed,
		CreatedAt: q.Now().UTC()})
	if err != nil {
		return 0, fmt.Errorf("outbox: queue %s: %w", kind, err)
	}
	if q.Observer != nil {
		q.Observer.OutboxEvent(kind, "queued")
	}
	if q.Notify != nil {
		q.Notify()
	}
	return id, nil
}

// associatedData binds a sealed payload to its tenant and kind, so a
// payload copied into another tenant's row does not open.
func associatedData(tenantID, kind string) []byte {
	return secrets.AssociatedData("outbox", tenantID, kind)
}

// Open returns the payload of it, sealed by Put.
func Open(keyring *secrets.Keyring, it model.OutboxItem) ([]byte, error) {
	payload, err := keyring.Decrypt(it.Payload, associatedData(it.TenantID, it.Kind))
	if err != nil {
		return nil, fmt.Errorf("the payload does not open under this master key: %w", err)
	}
	return payload, nil
}

// Delivery is one attempt at one item, as a deliverer sees it.
type Delivery struct {
	ID        int64 // stable across attempts: the receiver's duplicate key
	TenantID  string
	Kind      string
	Attempt   int // 1 for the first
	CreatedAt time.Time
	Payload   []byte
}

// Key is the item's identity for the receiver, "<tenant>.<id>", the same
// on every attempt.
func (d Delivery) Key() string { return d.TenantID + "." + strconv.FormatInt(d.ID, 10) }

// Deliverer sends items of one kind. An error means not delivered: the
// item is tried again, unless the error is Permanent. code is the
// receiver's answer (an HTTP status), kept on the item for whoever lists
// deliveries; 0 when there was none or the kind has no such thing. Deliver
// must return before ctx ends.
type Deliverer interface {
	Deliver(ctx context.Context, d Delivery) (code int, err error)
}

// Policy is when a kind's failed items are tried again, and for how long.
type Policy struct {
	// Backoff[i] is the wait after the (i+1)th failed attempt; the last
	// entry repeats.
	Backoff []time.Duration
	// GiveUpAfter, counted from the item's creation, closes the window:
	// the first failure after it fails the item for good.
	GiveUpAfter time.Duration
}

func (p Policy) wait(attempt int) time.Duration {
	if len(p.Backoff) == 0 {
		return time.Minute
	}
	return p.Backoff[min(max(attempt, 1), len(p.Backoff))-1]
}

// Kind is how one kind of item is delivered.
type Kind struct {
	Deliverer Deliverer
	Policy    Policy
}

// permanent marks an error no retry can cure (a payload that does not
// decode, an address the relay can never accept).
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so that the item fails at once instead of being
// tried again.
func Permanent(err error) error { return permanent{err} }

// IsPermanent reports whether err, or an error it wraps, is Permanent.
func IsPermanent(err error) bool {
	_, ok := errors.AsType[permanent](err)
	return ok
}
