package testenv

import (
	"net"
	"strconv"
	"testing"
)

// A server's port must not come from the range outgoing connections draw
// their source ports from, and must be free to bind.
func TestFreeAddrIsBelowTheEphemeralRange(t *testing.T) {
	lo := ephemeralLow()
	for range 20 {
		addr := FreeAddr(t)
		_, p, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		port, _ := strconv.Atoi(p)
		if port >= lo || port < 10000 {
			t.Fatalf("FreeAddr gave %s; want a port in [10000, %d)", addr, lo)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("FreeAddr gave %s, which cannot be bound: %v", addr, err)
		}
		ln.Close()
	}
}
