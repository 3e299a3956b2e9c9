package app_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiverCA is a self-signed certificate for 127.0.0.1 that the server
// under test trusts the way it trusts a real partner's, through the system
// roots (SSL_CERT_FILE in the child's environment).
type receiverCA struct {
	cert tls.Certificate
	file string
}

func newReceiverCA(t *testing.T) receiverCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "partner app"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "partner-ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return receiverCA{cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, file: file}
}

// delivery is one request the receiver got, as sent.
type delivery struct {
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Signature string `json:"signature"`
	Body      string `json:"body"`
	Status    int    `json:"-"` // what the receiver answered
	valid     bool
}

// event is a delivery's body.
func (d delivery) event(t *testing.T) (typ string, data map[string]any) {
	t.Helper()
	var ev struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(d.Body), &ev); err != nil {
		t.Fatalf("delivery %s: %v", d.ID, err)
	}
	return ev.Type, ev.Data
}

// receiver is a partner app's webhook endpoint: HTTPS on loopback, checking
// each signature with the secret as the Standard Webhooks specification
// says (HMAC-SHA256 of "id.timestamp.body" with the secret's key, any v1
// signature matching), refusing the first attempt of each delivery with
// 503 when it is of type failFirst (so one event's retry can be watched
// without other events' back-off getting in the way), and noting whether two attempts at one
// webhook-id ever overlapped.
type receiver struct {
	t         *testing.T
	srv       *httptest.Server
	failFirst string        // an event type
	hang      chan struct{} // when set, every request waits for it (or for the sender to give up)
	redirect  string        // when set, every answer is a 307 to it

	mu       sync.Mutex
	secret   string
	got      []delivery
	inFlight map[string]int
	overlaps []string
	arrived  chan struct{}
}

func startReceiver(t *testing.T, ca receiverCA, failFirst string) *receiver {
	r := &receiver{t: t, failFirst: failFirst, inFlight: map[string]int{}, arrived: make(chan struct{}, 1000)}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.cert}}
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) url() string { return r.srv.URL + "/hooks" }

func (r *receiver) setSecret(s string) { r.mu.Lock(); r.secret = s; r.mu.Unlock() }

func (r *receiver) setFailFirst(typ string) { r.mu.Lock(); r.failFirst = typ; r.mu.Unlock() }

// state returns the secret and the webhook-ids whose attempts overlapped.
func (r *receiver) state() (string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.secret, append([]string(nil), r.overlaps...)
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	d := delivery{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
		Signature: req.Header.Get("webhook-signature"), Body: string(body)}
	r.mu.Lock()
	r.inFlight[d.ID]++
	if r.inFlight[d.ID] > 1 {
		r.overlaps = append(r.overlaps, d.ID)
	}
	seen := false
	for _, g := range r.got {
		seen = seen || g.ID == d.ID
	}
	d.valid = verify(r.secret, d)
	failFirst := r.failFirst
	r.mu.Unlock()
	if r.hang != nil {
		select { // longer than any attempt may take
		case <-r.hang:
		case <-req.Context().Done():
		}
	}
	d.Status = http.StatusNoContent
	if r.redirect != "" {
		w.Header().Set("Location", r.redirect)
		d.Status = http.StatusTemporaryRedirect
	}
	if !d.valid {
		d.Status = http.StatusUnauthorized
	} else if eventType(d.Body) == failFirst && !seen && r.redirect == "" {
		d.Status = http.StatusServiceUnavailable
	}
	r.mu.Lock()
	r.inFlight[d.ID]--
	r.got = append(r.got, d)
	r.mu.Unlock()
	w.WriteHeader(d.Status)
	r.arrived <- struct{}{}
}

// verify is the specification's check ("Verifying webhooks").
func verify(secret string, d delivery) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if _, terr := strconv.ParseInt(d.Timestamp, 10, 64); err != nil || terr != nil || d.ID == "" {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(d.ID + "." + d.Timestamp + "." + d.Body))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(d.Signature) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// waitFor waits up to within for a delivery that ok accepts, and returns
// it; the bound is a wait, not a measurement.
func (r *receiver) waitFor(within time.Duration, what string, ok func(delivery) bool) delivery {
	r.t.Helper()
	deadline := time.After(within)
	for {
		for _, d := range r.deliveries() {
			if ok(d) {
				return d
			}
		}
		select {
		case <-r.arrived:
		case <-deadline:
			r.t.Fatalf("no %s within %s; got %+v", what, within, r.deliveries())
		}
	}
}

// ofType accepts a delivery of event type typ that the receiver accepted
// (2xx) or, with anyStatus, any delivery of that type.
func ofType(t *testing.T, typ string, accepted bool) func(delivery) bool {
	return func(d delivery) bool {
		got, _ := d.event(t)
		return got == typ && (!accepted || d.Status/100 == 2)
	}
}

// eventType is the type of a delivery's body ("" when it is not an event);
// unlike delivery.event it may run on the server's goroutines.
func eventType(body string) string {
	var ev struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal([]byte(body), &ev)
	return ev.Type
}
