package model

import "time"

// DeviceStatus is where a device authorization stands (RFC 8628).
type DeviceStatus string

const (
	DevicePending  DeviceStatus = "pending"  // the member has not answered yet
	DeviceApproved DeviceStatus = "approved" // GrantID holds the member's grant
	DeviceDenied   DeviceStatus = "denied"   // the member said no, or may not use the client
)

// DeviceAuthorization is one device authorization request (RFC 8628 §3.1):
// a device polls with its device code while a member enters the user code
// at /device. Both codes are stored by hash only, so a database dump holds
// nothing a device or a member could present.
type DeviceAuthorization struct {
	DeviceHash   string // ids.Hash of the device code
	UserCodeHash string // ids.Hash of the normalised user code; unique per tenant
	TenantID     string
	ClientID     string
	Scopes       []string
	// Interval is the least time between two polls; slow_down lengthens it.
	Interval  time.Duration
	Status    DeviceStatus
	MemberID  string // who answered; empty while pending
	GrantID   string // the grant approved; empty unless approved
	CreatedAt time.Time
	ExpiresAt time.Time
	PolledAt  time.Time // zero until the first poll
	DecidedAt time.Time // zero while pending
	// ConsumedAt is when the device received its tokens: a device code
	// yields them once.
	ConsumedAt time.Time
}
