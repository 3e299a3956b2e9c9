package model

import "time"

// AuditEvent records who did what to what. Detail never holds a secret.
type AuditEvent struct {
	ID       int64
	TenantID string
	At       time.Time
	Actor    string // "member:<id>", "cli", "system", "anonymous"
	Action   string // e.g. "login.success", "member.create"
	Target   string // e.g. "member:<id>"
	IP       string
	Detail   map[string]string
}
