package federation_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/testenv"
)

// upstreamCert is the TLS certificate every upstream provider in these
// tests serves (the hostile ones and oidc-provider), for localhost and
// 127.0.0.1. The server under test must trust it the way it would trust a
// real provider, through the system roots, so TestMain points
// SSL_CERT_FILE at it before anything loads them.
var (
	upstreamCert     tls.Certificate
	upstreamCertFile string
	upstreamKeyFile  string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "guildgate-upstream-tls-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := 1
	if err := writeUpstreamCert(dir); err != nil {
		fmt.Fprintln(os.Stderr, "upstream certificate:", err)
	} else {
		os.Setenv("SSL_CERT_FILE", upstreamCertFile)
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// writeUpstreamCert makes a self-signed CA certificate valid for loopback
// and writes it and its key as PEM files (oidc-provider reads them).
func writeUpstreamCert(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "upstream test provider"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	upstreamCertFile, upstreamKeyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(upstreamCertFile, certPEM, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(upstreamKeyFile, keyPEM, 0o600); err != nil {
		return err
	}
	upstreamCert, err = tls.X509KeyPair(certPEM, keyPEM)
	return err
}

// upstreamPool trusts upstreamCert, for the test's own "browser".
func upstreamPool(t *testing.T) *x509.CertPool {
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(upstreamCertFile)
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("upstream certificate: %v", err)
	}
	return pool
}

// startWithUpstreams starts Guildgate with --allow-private-upstreams: the
// upstream providers of these tests listen on loopback, which the
// production default refuses to contact.
func startWithUpstreams(t *testing.T, backend testenv.Backend) *testenv.Server {
	return testenv.Start(t, backend, func(c *config.Config) { c.AllowPrivateUpstreams = true })
}
