package model

import "errors"

// Storage outcomes that callers branch on. They are compared with errors.Is and
// always wrapped with context by the store, never returned to a client as text.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)
