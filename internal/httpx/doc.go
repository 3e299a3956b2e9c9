// Package httpx is the HTTP plumbing every Guildgate surface shares: handlers
// that return errors instead of writing them, one place that decides what a
// client sees versus what the log sees, and the middleware that makes every
// response safe by default (request ids, access log without secrets, panic
// recovery, security headers, body limits, HTTPS enforcement, CSRF). Keeping
// it in one package means a new endpoint cannot forget any of them.
package httpx
