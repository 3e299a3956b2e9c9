package app

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/webhooks"
)

// buildMail makes the mail the flows write to queue, and the outbox
// kind that delivers it. Without --smtp-url the mailer queues nothing (the
// flows fall back to links shown to an administrator) and there is no
// kind; the outbox is delivered anyway, for the other kinds of item.
func (a *App) buildMail(d Deps, queue *outbox.Queue) (*mail.Mailer, *outbox.Kind, error) {
	templates, err := mail.LoadTemplates()
	if err != nil {
		return nil, nil, err
	}
	if a.cfg.SMTPURL == "" {
		return &mail.Mailer{Templates: templates}, nil, nil
	}
	relay, err := mail.NewRelay(a.cfg.SMTPURL, a.cfg.SMTPPassword, a.cfg.MailFrom)
	if err != nil {
		return nil, nil, err
	}
	relay.TLS = d.MailTLS
	a.logger.Info("mail is sent through the outbox", "relay", relay.String(), "from", relay.From.String())
	return &mail.Mailer{Templates: templates, Queue: queue},
		&outbox.Kind{Deliverer: mail.Deliverer{Relay: relay, Now: a.now}, Policy: mail.Policy}, nil
}

// buildDispatcher makes what delivers the outbox while this replica holds
// the jobs lease: mail (when there is a relay) and webhooks, signed, through
// the outbound client (its address policy, no redirects), on the Standard
// Webhooks retry schedule.
func (a *App) buildDispatcher(d Deps, mailKind *outbox.Kind) *outbox.Dispatcher {
	kinds := map[string]outbox.Kind{webhooks.Kind: {Policy: webhooks.Policy,
		Deliverer: webhooks.Deliverer{Endpoints: a.svc.Webhooks, Client: a.outbound.For(outbound.Webhook), Now: a.now}}}
	if mailKind != nil {
		kinds[mail.Kind] = *mailKind
	}
	return &outbox.Dispatcher{Store: a.store.Outbox(), Audit: a.store.Audit(), Keyring: d.Keyring,
		Kinds: kinds, Holder: a.replica, Now: a.now, Logger: a.logger, Observer: a.Metrics}
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
