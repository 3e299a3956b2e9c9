// Package admin is where an association's administrators run Guildgate
// without the shell: the browser console under /admin/ (package console)
// and the JSON API under /api/v1/ (package api), both over the same
// services the CLI uses (directory, clients, keys), so no surface can store
// what another would refuse. The two surfaces are kept apart on purpose
// (STYLE.md habit 10): the console takes a member's session, checks that
// the member is an administrator and demands a CSRF token on every form;
// the API takes bearer API keys only and answers in JSON. The composition
// root builds each surface's Handler from the services it uses; this
// package holds only what both share outside their muxes (the larger body
// limits of their uploads).
package admin
