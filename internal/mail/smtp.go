package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultTimeout bounds one whole SMTP conversation, so a relay that hangs
// costs one attempt, not a stuck outbox.
const DefaultTimeout = 60 * time.Second

// Relay is the operator's SMTP relay (--smtp-url, GUILDGATE_SMTP_PASSWORD,
// --mail-from).
type Relay struct {
	url      *url.URL
	implicit bool // smtps://: TLS from the first byte
	password string
	From     *mail.Address
	// TLS, if set, replaces the system's roots (tests trust their own
	// relay's certificate); ServerName is always the relay's host.
	TLS     *tls.Config
	Timeout time.Duration // 0 means DefaultTimeout
	// HelloName is what Guildgate calls itself in EHLO; empty means the
	// machine's host name.
	HelloName string
	// dialAddr, when set, is dialled instead of the URL's host (tests reach
	// a loopback server under a name that is not loopback).
	dialAddr string
}

// NewRelay checks the relay settings: smtp://[user@]host[:port] (587 by
// default; STARTTLS is then required unless the host is loopback) or
// smtps://[user@]host[:port] (465 by default). The password never appears
// in the URL: it comes from GUILDGATE_SMTP_PASSWORD.
func NewRelay(rawURL, password, from string) (*Relay, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("smtp-url: %q must be smtp://[user@]host[:port] or smtps://[user@]host[:port]", redactURL(rawURL))
	}
	if _, has := u.User.Password(); has {
		return nil, errors.New("smtp-url: must not hold the password; set GUILDGATE_SMTP_PASSWORD instead")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("smtp-url: %q must not have a path, query or fragment", u.Redacted())
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), map[string]string{"smtp": "587", "smtps": "465"}[u.Scheme])
	}
	if u.User != nil && u.User.Username() != "" && password == "" {
		return nil, errors.New("smtp-url names a user: set its password in GUILDGATE_SMTP_PASSWORD")
	}
	sender, err := ParseFrom(from)
	if err != nil {
		return nil, err
	}
	return &Relay{url: u, implicit: u.Scheme == "smtps", password: password, From: sender}, nil
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparseable)"
}

// String names the relay without its password, for logs and banners.
func (r *Relay) String() string { return r.url.Redacted() }

func (r *Relay) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

// loopback reports whether the relay is on this machine, the one place a
// plain-text conversation cannot be overheard.
func (r *Relay) loopback() bool {
	host := r.url.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (r *Relay) tlsConfig() *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if r.TLS != nil {
		c = r.TLS.Clone()
	}
	c.ServerName = r.url.Hostname()
	return c
}

// Send delivers data to to in one SMTP conversation; nil means the relay
// accepted the message. ctx and Timeout bound every step, a hung relay
// included.
func (r *Relay) Send(ctx context.Context, to string, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	conn, err := r.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // unblocks any read or write
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	err = r.converse(conn, to, data)
	if err != nil && (ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded)) {
		return fmt.Errorf("smtp %s: no answer in time (%s): %w", r.url.Host, r.timeout(), err)
	}
	return err
}

func (r *Relay) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{}
	addr := r.url.Host
	if r.dialAddr != "" {
		addr = r.dialAddr
	}
	var conn net.Conn
	var err error
	if r.implicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: r.tlsConfig()}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("smtp %s: connect: %w", r.url.Host, err)
	}
	return conn, nil
}

func (r *Relay) converse(conn net.Conn, to string, data []byte) error {
	c, err := smtp.NewClient(conn, r.url.Hostname())
	if err != nil {
		return fmt.Errorf("smtp %s: greeting: %w", r.url.Host, err)
	}
	if err := c.Hello(r.helloName()); err != nil {
		return fmt.Errorf("smtp %s: EHLO: %w", r.url.Host, err)
	}
	if err := r.secure(c); err != nil {
		return err
	}
	if r.url.User != nil && r.url.User.Username() != "" {
		if err := c.Auth(smtp.PlainAuth("", r.url.User.Username(), r.password, r.url.Hostname())); err != nil {
			return fmt.Errorf("smtp %s: authentication: %w", r.url.Host, err)
		}
	}
	rcpt, err := asciiDomain(to)
	if err != nil {
		return err
	}
	if err := c.Mail(r.From.Address); err != nil {
		return fmt.Errorf("smtp %s: MAIL FROM: %w", r.url.Host, err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fmt.Errorf("smtp %s: RCPT TO: %w", r.url.Host, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", r.url.Host, err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("smtp %s: message: %w", r.url.Host, err)
	}
	if err := w.Close(); err != nil { // the relay's answer to the message
		return fmt.Errorf("smtp %s: message refused: %w", r.url.Host, err)
	}
	_ = c.Quit() // accepted already; a lost goodbye changes nothing
	return nil
}

// secure starts TLS on smtp:// when the relay offers it, and insists on it
// unless the relay is on loopback.
func (r *Relay) secure(c *smtp.Client) error {
	if r.implicit {
		return nil
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(r.tlsConfig()); err != nil {
			return fmt.Errorf("smtp %s: STARTTLS: %w", r.url.Host, err)
		}
		return nil
	}
	if !r.loopback() {
		return fmt.Errorf("smtp %s: the relay does not offer STARTTLS, and mail is never sent in clear text "+
			"off this machine; use a relay that does, or smtps://", r.url.Host)
	}
	return nil
}

func (r *Relay) helloName() string {
	if r.HelloName != "" {
		return r.HelloName
	}
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
		return h
	}
	return "localhost"
}
