package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/views"
	"github.com/guildgate/guildgate/internal/webhooks"
)

var webhookCommands = map[string]command{
	"add": {summary: "register a partner app's webhook endpoint (prints its signing secret once)", run: runWebhookAdd,
		synopsis: "--url U [--events CSV] " + tenantFlags},
	"list":   {summary: "list webhook endpoints", run: runWebhookList, synopsis: tenantFlags},
	"show":   {summary: "show one webhook endpoint", run: webhookAction(showWebhook), synopsis: "ID " + tenantFlags},
	"delete": {summary: "delete a webhook endpoint; nothing more is sent to it", run: webhookAction(deleteWebhook), synopsis: "ID " + tenantFlags},
	"rotate-secret": {summary: "give an endpoint a new signing secret, the old one signing too during an overlap",
		run: runWebhookRotate, synopsis: "ID [--overlap 24h] " + tenantFlags},
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

func runWebhookList(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	return c.withWebhooks(ctx, fs, df, func(svc *webhooks.Service, t model.Tenant) error {
		es, err := svc.List(ctx, t.ID)
		if err != nil {
			return err
		}
		now := time.Now()
		out := make([]views.WebhookEndpoint, len(es))
		for i, e := range es {
			out[i] = views.WebhookEndpointOf(e, now, "")
		}
		return c.emit(df.json, out, func(w io.Writer) {
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
	})
}

func webhookAction(act func(context.Context, *call, *webhooks.Service, model.Tenant, string, bool) error) func(context.Context, *call, []string) error {
	return func(ctx context.Context, c *call, args []string) error {
		fs, df := c.dataFlagSet(true)
		pos, err := c.parseArgs(fs, args, "ID")
		if err != nil {
			return err
		}
		return c.withWebhooks(ctx, fs, df, func(svc *webhooks.Service, t model.Tenant) error {
			return act(ctx, c, svc, t, pos[0], df.json)
		})
	}
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
	return c.emit(asJSON, views.WebhookEndpointOf(e, time.Now(), ""), func(w io.Writer) {
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
		keys, err := c.loadKeyring(ctx, d)
		if err != nil {
			return err
		}
		return fn(&webhooks.Service{Store: d.store.WebhookEndpoints(), Audit: d.store.Audit(), Secrets: keys, Now: time.Now}, t)
	})
}

func (c *call) printWebhook(asJSON bool, e model.WebhookEndpoint, secret string) error {
	v := views.WebhookEndpointOf(e, time.Now(), secret)
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
