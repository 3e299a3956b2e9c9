package store

import "time"

// Precision is how finely the store keeps a time: every backend stores
// microseconds since the epoch (PostgreSQL's timestamps cannot hold more).
const Precision = time.Microsecond

// Stamp is t as the store gives it back: in UTC, to Precision. A service
// stamps what it writes with it, so that what a create returns equals what
// a later read returns; nothing outside the store needs to know the
// precision.
func Stamp(t time.Time) time.Time { return t.UTC().Truncate(Precision) }
