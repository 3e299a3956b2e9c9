package model

import "time"

// The events a webhook endpoint can be sent (PRODUCT.md, "Provisioning").
const (
	EventMemberCreated       = "member.created"
	EventMemberUpdated       = "member.updated"
	EventMemberStatusChanged = "member.status_changed"
	EventMemberDisabled      = "member.disabled"
	EventMemberEnabled       = "member.enabled"
	EventMemberDeleted       = "member.deleted"
	EventGroupMemberAdded    = "group.member_added"
	EventGroupMemberRemoved  = "group.member_removed"
)

// WebhookEvents lists every event type, in display order.
var WebhookEvents = []string{EventMemberCreated, EventMemberUpdated, EventMemberStatusChanged,
	EventMemberDisabled, EventMemberEnabled, EventMemberDeleted, EventGroupMemberAdded, EventGroupMemberRemoved}

// WebhookEndpoint is a partner app's URL that a tenant's changes are sent
// to, signed as the Standard Webhooks specification says.
type WebhookEndpoint struct {
	ID       string
	TenantID string
	URL      string   // https
	Events   []string // the event types sent; never empty
	// Secrets sign each delivery, newest first, each sealed by the secrets
	// package (bound to the tenant, the endpoint and the field). While a
	// rotation's overlap runs, a delivery carries a signature by each live
	// one (webhook-signature: "v1,… v1,…"), so the receiver can switch at
	// its own pace. The rotation rules are a client secret's.
	Secrets []ClientSecret
	// Disabled endpoints are sent nothing: an administrator's choice, or
	// deliveries that kept failing for the whole retry window.
	Disabled       bool
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}
