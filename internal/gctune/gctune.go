// Package gctune holds the garbage collector setting the server runs with,
// so that guildgate-bench can measure its argon2id limit under the same
// one: each verification allocates 19 MiB, and how often the collector runs
// over that garbage is part of what a sign-in costs (~8 % between GOGC 100
// and 400 on this project's benchmark machine).
package gctune

import "runtime/debug"

// Percent is the collector's target unless the operator set one. The
// server's live heap is a few MB (sessions, codes and tokens live in the
// database), so at Go's default of 100 it collected after every ~4 MB of
// request garbage, some 15 times a second per core under load, about 5 % of
// the CPU (gctrace, jwks and discovery). At 400 it collects a quarter as
// often, for a heap of about 20 MB instead of 8 at that live size.
const Percent = 400

// Apply sets Percent unless GOGC or GOMEMLIMIT says how the operator wants
// memory traded for CPU; the runtime has read those already.
func Apply(env func(string) (string, bool)) {
	if _, ok := env("GOGC"); ok {
		return
	}
	if _, ok := env("GOMEMLIMIT"); ok {
		return
	}
	debug.SetGCPercent(Percent)
}
