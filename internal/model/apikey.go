package model

import "time"

// APIKey lets a program call one tenant's admin API. The key itself is shown
// once, when it is created; only its SHA-256 is kept, so a database dump
// holds nothing that can be replayed.
type APIKey struct {
	ID       string // public, stable; names the key in lists and the audit log
	TenantID string
	Name     string
	Hash     string // hex SHA-256 of the whole key (ids.Hash)
	// Prefix is the key's first few characters, enough for an administrator
	// to tell keys apart and far too few to guess the rest.
	Prefix    string
	CreatedBy string // audit actor who created it
	CreatedAt time.Time
	RevokedAt time.Time // zero while the key works
}
