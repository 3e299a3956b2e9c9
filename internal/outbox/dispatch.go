package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

// Defaults for the zero Dispatcher fields.
const (
	// DefaultClaim outlasts any attempt (Deliver gets half of it), so a
	// live replica's claim never runs out under it.
	DefaultClaim = 5 * time.Minute
	DefaultBatch = 20
	// maxErrorLen bounds the reason kept on the item.
	maxErrorLen = 500
)

// Dispatcher delivers due items. Every field but Observer, Claim and Batch
// is required.
type Dispatcher struct {
	Store   store.Outbox
	Audit   store.Audit // a given-up item is audited in its tenant
	Keyring *secrets.Keyring
	Kinds   map[string]Kind
	// Holder names this replica on the items it claims.
	Holder   string
	Now      func() time.Time
	Logger   *slog.Logger
	Observer Observer
	Claim    time.Duration // how long a claim lasts; 0 means DefaultClaim
	Batch    int           // items claimed at a time; 0 means DefaultBatch
}

// RunOnce claims a batch of due items and delivers them one after another,
// and returns how many it handled; it stops at the first storage error.
// The caller runs it while it holds the jobs lease, again as long as it
// returns a full batch.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := d.Now().UTC()
	// The claim is not cut short by a stopping replica: a statement
	// cancelled mid-way may still commit while the call reports failure,
	// and its items would stay held, undelivered, until the claim ran out.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	items, err := d.Store.Claim(cctx, d.Holder, slices.Sorted(maps.Keys(d.Kinds)), now, now.Add(d.claim()), d.batch())
	cancel()
	if err != nil {
		return 0, fmt.Errorf("outbox: claim: %w", err)
	}
	for i, it := range items {
		if err := d.deliver(ctx, it); err != nil {
			d.handBack(ctx, items[i+1:])
			return i, err
		}
	}
	return len(items), nil
}

// handBack releases claimed items not attempted (the replica is stopping,
// or the store failed), due at once, so that the next holder need not wait
// for their claims to run out.
func (d *Dispatcher) handBack(ctx context.Context, items []model.OutboxItem) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, it := range items {
		at := d.Now().UTC()
		res := store.OutboxResult{Status: model.OutboxPending, At: at, NextAttemptAt: at, Error: "not attempted: the replica was stopping"}
		if _, err := d.Store.Finish(wctx, it.ID, d.Holder, res); err != nil {
			d.Logger.Warn("outbox: could not hand an item back; it waits for its claim to run out",
				"kind", it.Kind, "id", it.ID, "err", err)
		}
	}
}

// Full reports whether RunOnce's count was a whole batch, so more may wait.
func (d *Dispatcher) Full(n int) bool { return n >= d.batch() }

func (d *Dispatcher) claim() time.Duration {
	if d.Claim > 0 {
		return d.Claim
	}
	return DefaultClaim
}

func (d *Dispatcher) batch() int {
	if d.Batch > 0 {
		return d.Batch
	}
	return DefaultBatch
}

// deliver makes one attempt at a claimed item and records its outcome.
func (d *Dispatcher) deliver(ctx context.Context, it model.OutboxItem) error {
	kind := d.Kinds[it.Kind]
	code, err := d.attempt(ctx, kind, it)
	res := d.outcome(kind.Policy, it, err)
	if ctx.Err() != nil && err != nil {
		// Shutting down: hand the item back due at once, so the next
		// holder tries again now rather than when the claim runs out.
		res = store.OutboxResult{Status: model.OutboxPending, At: d.Now().UTC(), Error: "interrupted: the replica was stopping"}
		res.NextAttemptAt = res.At
	}
	res.Code = code
	// The record outlives a cancelled ctx: a mail the relay accepted must
	// be marked sent even when serve is stopping.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	held, ferr := d.Store.Finish(wctx, it.ID, d.Holder, res)
	if ferr != nil {
		return fmt.Errorf("outbox: record %s %d as %s: %w", it.Kind, it.ID, res.Status, ferr)
	}
	if !held {
		d.Logger.Warn("outbox: the claim ran out during delivery; another replica may deliver the item again",
			"kind", it.Kind, "id", it.ID, "tenant", it.TenantID)
	}
	if ctx.Err() != nil && err != nil {
		return ctx.Err()
	}
	return d.report(wctx, it, res)
}

func (d *Dispatcher) attempt(ctx context.Context, kind Kind, it model.OutboxItem) (int, error) {
	payload, err := Open(d.Keyring, it)
	if err != nil {
		return 0, Permanent(err)
	}
	actx, cancel := context.WithTimeout(ctx, d.claim()/2)
	defer cancel()
	return kind.Deliverer.Deliver(actx, Delivery{ID: it.ID, TenantID: it.TenantID, Kind: it.Kind,
		Attempt: it.Attempts, CreatedAt: it.CreatedAt, Payload: payload})
}

// outcome decides what an attempt's error means for the item.
func (d *Dispatcher) outcome(p Policy, it model.OutboxItem, err error) store.OutboxResult {
	now := d.Now().UTC()
	switch {
	case err == nil:
		return store.OutboxResult{Status: model.OutboxSent, At: now}
	case IsPermanent(err) || !now.Before(it.CreatedAt.Add(p.GiveUpAfter)):
		return store.OutboxResult{Status: model.OutboxFailed, At: now, Error: clip(err.Error())}
	}
	next := now.Add(p.wait(it.Attempts))
	if last := it.CreatedAt.Add(p.GiveUpAfter); next.After(last) {
		next = last // one last try as the window closes
	}
	return store.OutboxResult{Status: model.OutboxPending, At: now, NextAttemptAt: next, Error: clip(err.Error())}
}

// report logs, counts and, for a given-up item, audits the outcome.
func (d *Dispatcher) report(ctx context.Context, it model.OutboxItem, res store.OutboxResult) error {
	event := map[model.OutboxStatus]string{model.OutboxSent: "sent", model.OutboxPending: "retried", model.OutboxFailed: "failed"}[res.Status]
	if d.Observer != nil {
		d.Observer.OutboxEvent(it.Kind, event)
	}
	attrs := []any{"kind", it.Kind, "id", it.ID, "tenant", it.TenantID, "attempt", it.Attempts}
	switch res.Status {
	case model.OutboxSent:
		d.Logger.Info("outbox: delivered", attrs...)
		return nil
	case model.OutboxPending:
		d.Logger.Warn("outbox: delivery failed; trying again later", append(attrs, "next", res.NextAttemptAt, "err", res.Error)...)
		return nil
	}
	d.Logger.Error("outbox: delivery failed for good", append(attrs, "err", res.Error)...)
	e := model.AuditEvent{TenantID: it.TenantID, At: res.At, Actor: "system", Action: "outbox." + it.Kind + ".failed",
		Target: "outbox:" + strconv.FormatInt(it.ID, 10),
		Detail: map[string]string{"attempts": strconv.Itoa(it.Attempts), "error": res.Error}}
	if err := auditlog.Record(ctx, d.Audit, e); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

func clip(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	return strings.ToValidUTF8(s[:maxErrorLen], "") + "…"
}
