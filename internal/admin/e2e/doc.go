// Package e2e holds the admin surfaces' end-to-end tests: the real server
// (testenv), driven over HTTPS as a browser, a script and a relying party
// would, and in real Chromium. It has no code of its own; the tests live
// here, apart from package admin, because they need the whole application.
package e2e
