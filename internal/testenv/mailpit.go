package testenv

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Mailpit is a real SMTP server (github.com/axllent/mailpit, installed by
// scripts/test) that a test sends mail to and reads it back from over its
// HTTP API. Its SMTP port offers STARTTLS with a certificate for localhost
// and 127.0.0.1 that CertPool trusts, and takes one user's password.
type Mailpit struct {
	SMTP     string // 127.0.0.1:<port>
	API      string // http://127.0.0.1:<port>
	User     string
	Password string
	CertPool *x509.CertPool
	CertFile string // the same certificate as a PEM file, for a child process's SSL_CERT_FILE
	proc     *Process
	dir      string
	args     []string
}

// MailpitPath returns the mailpit binary to run. GUILDGATE_TEST_MAILPIT
// (set by scripts/test) means one is expected, so a missing one fails the
// test; without it, a machine with no mailpit in Go's bin directory or on
// PATH skips.
func MailpitPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("GUILDGATE_TEST_MAILPIT"); p != "" {
		return p
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	gopath, err := exec.Command("go", "env", "GOPATH").Output()
	if p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "mailpit"); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("skipping: no mailpit and GUILDGATE_TEST_MAILPIT is unset (scripts/test installs it)")
	return ""
}

// MailpitOptions vary the relay.
type MailpitOptions struct {
	Chaos bool // its SMTP errors can be switched on and off (SetChaos)
	Plain bool // no STARTTLS and no AUTH: a bare relay on loopback
}

// StartMailpit runs mailpit until the test ends.
func StartMailpit(t testing.TB, o MailpitOptions) *Mailpit {
	t.Helper()
	bin := MailpitPath(t)
	dir := t.TempDir()
	m := &Mailpit{SMTP: FreeAddr(t), User: "guildgate", Password: "relay-" + rand.Text(), dir: dir}
	m.API = "http://" + FreeAddr(t)
	certFile, keyFile := m.writeCert(t)
	auth := filepath.Join(dir, "auth")
	hash, err := bcrypt.GenerateFromPassword([]byte(m.Password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(auth, []byte(m.User+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m.args = []string{"--smtp", m.SMTP, "--listen", strings.TrimPrefix(m.API, "http://"),
		"--database", filepath.Join(dir, "mailpit.db"), "--smtp-disable-rdns", "--disable-version-check"}
	if !o.Plain {
		m.args = append(m.args, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-auth-file", auth)
	}
	if o.Chaos {
		m.args = append(m.args, "--enable-chaos")
	}
	m.start(t, bin)
	return m
}

func (m *Mailpit) start(t testing.TB, bin string) {
	t.Helper()
	m.proc = StartProcess(t, m.dir, CleanEnv(), bin, m.args...)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m.proc.Exited() {
			t.Fatalf("mailpit exited at start:\n%s\n%s", m.proc.Stdout, m.proc.Stderr)
		}
		resp, err := http.Get(m.API + "/readyz")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", m.SMTP); err == nil && resp.StatusCode == http.StatusOK {
				c.Close()
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("mailpit not ready in time:\n%s\n%s", m.proc.Stdout, m.proc.Stderr)
}

// writeCert makes a self-signed certificate for localhost and 127.0.0.1.
func (m *Mailpit) writeCert(t testing.TB) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	m.CertPool = x509.NewCertPool()
	m.CertPool.AddCert(cert)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(m.dir, "cert.pem"), filepath.Join(m.dir, "key.pem")
	m.CertFile = certFile
	for file, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

// TLS is a client configuration that trusts the relay's certificate.
func (m *Mailpit) TLS() *tls.Config {
	return &tls.Config{RootCAs: m.CertPool, MinVersion: tls.VersionTLS12}
}

// URL is the --smtp-url that reaches this relay as its user.
func (m *Mailpit) URL() string { return "smtp://" + m.User + "@" + m.SMTP }

// Mail is one received message as the API shows it.
type Mail struct {
	ID        string
	MessageID string
	From      struct{ Name, Address string }
	To        []struct{ Name, Address string }
	Subject   string
	Text      string
	HTML      string
}

// Messages returns every message received, newest first, with bodies.
func (m *Mailpit) Messages(t testing.TB) []Mail {
	t.Helper()
	var list struct{ Messages []Mail }
	m.get(t, "/api/v1/messages?limit=500", &list)
	for i := range list.Messages {
		m.get(t, "/api/v1/message/"+url.PathEscape(list.Messages[i].ID), &list.Messages[i])
	}
	return list.Messages
}

// To returns the messages received for address, newest first.
func (m *Mailpit) To(t testing.TB, address string) []Mail {
	t.Helper()
	var out []Mail
	for _, msg := range m.Messages(t) {
		for _, to := range msg.To {
			if strings.EqualFold(to.Address, address) {
				out = append(out, msg)
			}
		}
	}
	return out
}

// WaitFor polls until address has received n messages and returns them,
// newest first, failing the test after within.
func (m *Mailpit) WaitFor(t testing.TB, address string, n int, within time.Duration) []Mail {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := m.To(t, address)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s received %d messages, want %d, within %v", address, len(got), n, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// SetChaos makes the relay answer every RCPT TO with code (0: accept again).
func (m *Mailpit) SetChaos(t testing.TB, code int) {
	t.Helper()
	body := `{"Recipient":{"ErrorCode":` + fmt.Sprint(max(code, 451)) + `,"Probability":` + map[bool]string{true: "100", false: "0"}[code != 0] + `}}`
	req, _ := http.NewRequest(http.MethodPut, m.API+"/api/v1/chaos", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit chaos: %s", resp.Status)
	}
}

func (m *Mailpit) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}
