package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/views"
	"github.com/guildgate/guildgate/internal/webhooks"
)

var webhookCommands = map[string]command{
	"add": {summary: "register a partner app's webhook endpoint (prints its signing secret once)", run: runWebhookAdd,
		synopsis: "--url U [--events CSV] " + tenantFlags},
	"list":   {summary: "list webhook endpoints", run: listAction((*call).withWebhooks, listWebhooks), synopsis: tenantFlags},
	"show":   {summary: "show one webhook endpoint", run: idAction((*call).withWebhooks, showWebhook), synopsis: "ID " + tenantFlags},
	"delete": {summary: "delete a webhook endpoint; nothing more is sent to it", run: idAction((*call).withWebhooks, deleteWebhook), synopsis: "ID " + tenantFlags},
	"rotate-secret": {summary: "give an endpoint a new signing secret, the old one signing too during an overlap",
		run: runWebhookRotate, synopsis: "ID [--overlap 24h] " + tenantFlags},
	"enable": {summary: "switch a disabled endpoint back on (one is disabled after 3 days of failed deliveries)",
		run: idAction((*call).withWebhooks, enableWebhook), synopsis: "ID " + tenantFlags},
	"deliveries": {summary: "list an endpoint's deliveries, newest first: status, attempts, last response code, timing",
		run: runWebhookDeliveries, synopsis: "ID [--limit N] [--before DELIVERY_ID] " + tenantFlags},
	"redeliver": {summary: "send a delivery again, with the same webhook-id", run: runWebhookRedeliver,
		synopsis: "ID DELIVERY_ID " + tenantFlags},
}

func enableWebhook(ctx context.Context, c *call, svc *webhooks.Service, t model.Tenant, id string, asJSON bool) error {
	e, err := svc.Enable(ctx, actor, t.ID, id)
	if err != nil {
		return err
	}
	return c.printWebhook(asJSON, e, "")
}

func runWebhookDeliveries(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	limit := fs.Int("limit", store.DefaultLimit, fmt.Sprintf("show at most this many deliveries (1-%d)", store.MaxLimit))
	before := fs.String("before", "", "show those older than this delivery (the next page)")
	pos, err := c.parseArgs(fs, args, "ID")
	if err != nil {
		return err
	}
	if *limit < 1 || *limit > store.MaxLimit {
		return &inputError{msg: fmt.Sprintf("--limit must be between 1 and %d", store.MaxLimit)}
	}
	return c.withWebhooks(ctx, fs, df, func(svc *webhooks.Service, t model.Tenant) error {
		p, err := svc.Deliveries(ctx, t.ID, pos[0], *before, *limit)
		if err != nil {
			return err
		}
		out := make([]views.WebhookDelivery, len(p.Items))
		for i, d := range p.Items {
			out[i] = d.View()
		}
		if err := c.emit(df.json, out, func(w io.Writer) { deliveriesText(w, out) }); err != nil {
			return err
		}
		if p.Next != "" {
			fmt.Fprintf(c.stderr, "guildgate: older deliveries follow: run again with --before %s\n", p.Next)
		}
		return nil
	})
}

func deliveriesText(w io.Writer, ds []views.WebhookDelivery) {
	if len(ds) == 0 {
		fmt.Fprintln(w, "no deliveries yet")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEVENT\tMEMBER\tSTATUS\tATTEMPTS\tCODE\tCREATED\tLAST ATTEMPT\tNEXT\tERROR")
	for _, d := range ds {
		code := "-"
		if d.LastResponseCode != 0 {
			code = strconv.Itoa(d.LastResponseCode)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.EventType, d.MemberID, d.Status, d.Attempts, code,
			stamp(d.CreatedAt), orDash(d.LastAttemptAt), orDash(d.NextAttemptAt), d.LastError)
	}
	_ = tw.Flush()
}

func runWebhookRedeliver(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	pos, err := c.parseArgs(fs, args, "ID", "DELIVERY_ID")
	if err != nil {
		return err
	}
	return c.withWebhooks(ctx, fs, df, func(svc *webhooks.Service, t model.Tenant) error {
		d, err := svc.Redeliver(ctx, actor, t.ID, pos[0], pos[1])
		if err != nil {
			return err
		}
		v := d.View()
		return c.emit(df.json, v, func(w io.Writer) {
			fmt.Fprintf(w, "queued delivery %s: %s again, webhook-id %s; 'guildgate serve' sends it\n", v.ID, v.EventType, v.WebhookID)
		})
	})
}

func runWebhookAdd(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	var u, events optString
	fs.Var(&u, "url", "the endpoint's https URL")
	fs.Var(&events, "events", "comma-separated event types to send (default: all of "+strings.Join(model.WebhookEvents, ", ")+")")
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	if err := c.require(fs, "url"); err != nil {
		return err
	}
	in := webhooks.Input{URL: u.v}
	if l := csv(events); l != nil {
		in.Events = *l
	}
	return c.withWebhooks(ctx, fs, df, func(svc *webhooks.Service, t model.Tenant) error {
		e, secret, err := svc.Add(ctx, actor, t.ID, in)
		if err != nil {
			return err
		}
		return c.printWebhook(df.json, e, secret)
	})
}

func listWebhooks(ctx context.Context, c *call, svc *webhooks.Service, t model.Tenant, asJSON bool) error {
	es, err := svc.List(ctx, t.ID)
	if err != nil {
		return err
	}
	now := c.now()
	out := make([]views.WebhookEndpoint, len(es))
	for i, e := range es {
		out[i] = views.WebhookEndpointOf(e, now, "")
	}
	return c.emit(asJSON, out, func(w io.Writer) {
		if len(out) == 0 {
			fmt.Fprintln(w, "no webhook endpoints (add one with 'guildgate webhook add')")
		}
		for i, v := range out {
			if i > 0 {
				fmt.Fprintln(w)
			}
			webhookText(w, v)
		}
	})
}

func showWebhook(ctx context.Context, c *call, svc *webhooks.Service, t model.Tenant, id string, asJSON bool) error {
	e, err := svc.Get(ctx, t.ID, id)
	if err != nil {
		return err
	}
	return c.printWebhook(asJSON, e, "")
}

func deleteWebhook(ctx context.Context, c *call, svc *webhooks.Service, t model.Tenant, id string, asJSON bool) error {
	e, err := svc.Get(ctx, t.ID, id)
	if err != nil {
		return err
	}
	if err := svc.Delete(ctx, actor, t.ID, id); err != nil {
		return err
	}
	return c.emit(asJSON, views.WebhookEndpointOf(e, c.now(), ""), func(w io.Writer) {
		fmt.Fprintf(w, "deleted webhook endpoint %s (%s)\n", e.ID, e.URL)
	})
}

func runWebhookRotate(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	overlap := fs.Duration("overlap", 24*time.Hour, "how long the previous secret keeps signing too, up to 720h; 0 ends it at once (after a leak)")
	pos, err := c.parseArgs(fs, args, "ID")
	if err != nil {
		return err
	}
	return c.withWebhooks(ctx, fs, df, func(svc *webhooks.Service, t model.Tenant) error {
		e, secret, err := svc.RotateSecret(ctx, actor, t.ID, pos[0], *overlap)
		if err != nil {
			return err
		}
		return c.printWebhook(df.json, e, secret)
	})
}

// withWebhooks resolves --tenant and builds the webhook service with the
// master key the server uses (secrets are sealed under it).
func (c *call) withWebhooks(ctx context.Context, fs *flag.FlagSet, df *dataFlags, fn func(*webhooks.Service, model.Tenant) error) error {
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		svc, err := c.sealing(ctx, d)
		if err != nil {
			return err
		}
		return fn(svc.Webhooks, t)
	})
}

func (c *call) printWebhook(asJSON bool, e model.WebhookEndpoint, secret string) error {
	v := views.WebhookEndpointOf(e, c.now(), secret)
	return c.emit(asJSON, v, func(w io.Writer) {
		webhookText(w, v)
		if secret != "" {
			fmt.Fprintf(w, "\nsecret:\t%s\n\nThe secret is shown only now: give it to the app's owner, whose receiver checks each "+
				"delivery's webhook-signature with it (Standard Webhooks).\n", secret)
		}
	})
}

func webhookText(w io.Writer, v views.WebhookEndpoint) {
	state := "enabled"
	if v.Disabled {
		state = "disabled: " + v.DisabledReason
	}
	secrets := fmt.Sprint(v.LiveSecrets)
	if !v.OverlapEndsAt.IsZero() {
		secrets += " (the older signs until " + stamp(v.OverlapEndsAt) + ")"
	}
	fields(w, "id", v.ID, "url", v.URL, "events", strings.Join(v.Events, ", "), "state", state,
		"signing_secrets", secrets, "created_at", stamp(v.CreatedAt), "updated_at", stamp(v.UpdatedAt))
}
