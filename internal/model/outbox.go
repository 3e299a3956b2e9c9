package model

import "time"

// OutboxStatus is where an outbox item is in its life: pending until it is
// delivered (sent) or its kind's retry window closes (failed). Sent and
// failed are final.
type OutboxStatus string

const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"
)

// OutboxItem is one thing to send later (a mail, a webhook delivery),
// written in the transaction of the change that causes it, so the change
// and its notice commit or vanish together.
type OutboxItem struct {
	ID       int64 // assigned by the store, increasing: the delivery order
	TenantID string
	Kind     string // "mail", "webhook", …: which deliverer sends it
	// Stream orders delivery: of the pending items of one tenant and
	// stream, only the oldest is ever handed out. Empty means unordered.
	Stream string
	// Payload is opaque to the store; the outbox package seals it, since a
	// mail may carry a one-time link.
	Payload       string
	Status        OutboxStatus
	Attempts      int // claims so far, counted when claimed
	CreatedAt     time.Time
	NextAttemptAt time.Time
	ClaimedBy     string    // the replica delivering it now, if any
	ClaimedUntil  time.Time // zero when unclaimed
	LastError     string    // the last failed attempt's reason, for operators
	LastAttemptAt time.Time // when the last attempt ended; zero before the first
	// LastCode is the receiver's answer to the last attempt (an HTTP
	// status for a webhook); 0 when it gave none (a network error).
	LastCode int
	DoneAt   time.Time // when it became sent or failed; zero while pending
}
