package certs

import (
	"bytes"
	"crypto/tls"
	"os"
	"testing"
	"time"
)

func TestSelfSignedIsCreatedOnceAndReused(t *testing.T) {
	dir, now := t.TempDir()+"/data", time.Now()
	cert, key, created, err := EnsureSelfSigned(dir, now)
	if err != nil || !created {
		t.Fatalf("first call: created=%v err=%v", created, err)
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := pair.Leaf.VerifyHostname("localhost"); err != nil {
		t.Fatal(err)
	}
	if err := pair.Leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(key); st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, want 0600", st.Mode().Perm())
	}
	before, _ := os.ReadFile(cert)
	if _, _, created, err := EnsureSelfSigned(dir, now.Add(time.Hour)); created || err != nil {
		t.Fatalf("second call regenerated: created=%v err=%v", created, err)
	}
	after, _ := os.ReadFile(cert)
	if !bytes.Equal(before, after) {
		t.Fatal("certificate changed on reuse")
	}
}

func TestSelfSignedRenewedNearExpiry(t *testing.T) {
	dir, now := t.TempDir(), time.Now()
	if _, _, _, err := EnsureSelfSigned(dir, now); err != nil {
		t.Fatal(err)
	}
	if _, _, created, _ := EnsureSelfSigned(dir, now.Add(validFor-renewBefore+time.Hour)); !created {
		t.Fatal("a certificate inside the renewal window must be replaced")
	}
}

func TestCorruptFilesAreReplaced(t *testing.T) {
	dir := t.TempDir()
	cert, _, _, _ := EnsureSelfSigned(dir, time.Now())
	os.WriteFile(cert, []byte("garbage"), 0o644)
	if _, _, created, err := EnsureSelfSigned(dir, time.Now()); !created || err != nil {
		t.Fatalf("created=%v err=%v", created, err)
	}
}
