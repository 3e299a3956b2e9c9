package testenv

import "testing"

// FreeAddr returns a loopback host:port that was free a moment ago, for a
// server a test starts itself (such as the built binary).
func FreeAddr(t testing.TB) string {
	t.Helper()
	return freeAddr(t)
}
