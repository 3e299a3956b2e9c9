package app

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/outbox"
)

// buildOutbox makes the outbox queue every change writes to, and the mail
// that goes through it. Without --smtp-url the mailer queues nothing and
// the flows fall back to links shown to an administrator; the dispatcher
// exists anyway, for the other kinds of item.
func (a *App) buildOutbox(d Deps) error {
	templates, err := mail.LoadTemplates()
	if err != nil {
		return err
	}
	a.outboxWake = make(chan struct{}, 1)
	a.queue = &outbox.Queue{Keyring: d.Keyring, Now: a.now, Observer: a.Metrics, Notify: a.wakeOutbox}
	a.mailer = &mail.Mailer{Templates: templates}
	a.dispatcher = &outbox.Dispatcher{Store: a.store.Outbox(), Audit: a.store.Audit(), Keyring: d.Keyring,
		Kinds: map[string]outbox.Kind{}, Holder: a.replica, Now: a.now, Logger: a.logger, Observer: a.Metrics}
	if a.cfg.SMTPURL == "" {
		return nil
	}
	relay, err := mail.NewRelay(a.cfg.SMTPURL, a.cfg.SMTPPassword, a.cfg.MailFrom)
	if err != nil {
		return err
	}
	relay.TLS = d.MailTLS
	a.mailer.Queue = a.queue
	a.dispatcher.Kinds[mail.Kind] = outbox.Kind{Deliverer: mail.Deliverer{Relay: relay, Now: a.now}, Policy: mail.Policy}
	a.logger.Info("mail is sent through the outbox", "relay", relay.String(), "from", relay.From.String())
	return nil
}

// wakeOutbox tells this replica's outbox loop that an item was written, so
// a mail goes out at once rather than at the next poll.
func (a *App) wakeOutbox() {
	select {
	case a.outboxWake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// runOutbox delivers due outbox items while this replica holds the jobs
// lease (held reports it), every poll and whenever an item is written here.
func (a *App) runOutbox(ctx context.Context, held func() bool) {
	poll := a.jobs.outboxPoll
	if poll <= 0 {
		poll = defaultJobTiming.outboxPoll
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		if held() && len(a.dispatcher.Kinds) > 0 {
			a.drainOutbox(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-a.outboxWake:
		}
	}
}

// drainOutbox delivers batches until one is not full.
func (a *App) drainOutbox(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := a.dispatcher.RunOnce(ctx)
		if err != nil {
			if ctx.Err() == nil {
				a.logger.Warn("outbox: delivery round failed", "err", err)
			}
			return
		}
		if !a.dispatcher.Full(n) {
			return
		}
	}
}
