package testenv

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"testing"
)

// FreeAddr returns a loopback host:port that was free a moment ago, for a
// server a test starts itself (such as the built binary).
func FreeAddr(t testing.TB) string {
	t.Helper()
	return freeAddr(t)
}

// freeAddr picks a port below the kernel's ephemeral range. A port the
// kernel hands out for ":0" comes from that range, which is also where
// every outgoing connection's source port comes from: between this check
// and the server's bind, a busy machine (browsers, database connections,
// load generators) could take it, and the server failed with "address
// already in use" (seen in CI). Below the range only another listener can
// take it, and a random pick makes that unlikely.
func freeAddr(t testing.TB) string {
	t.Helper()
	lo := ephemeralLow()
	const floor = 10000
	for range 100 {
		if lo-floor < 1000 {
			break
		}
		port := floor + rand.IntN(lo-floor)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux's
// default where it cannot be read).
func ephemeralLow() int {
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		var hi int
		if n, _ := fmt.Sscan(string(b), &lo, &hi); n != 2 {
			lo = 32768
		}
	}
	return lo
}
