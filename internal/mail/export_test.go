package mail

// Test hooks for the external test package (which imports testenv, and so
// the app, and so this package).

const MaxName, MaxBody = maxName, maxBody

func (r *Relay) Loopback() bool       { return r.loopback() }
func (r *Relay) HostPort() string     { return r.url.Host }
func (r *Relay) DialInstead(a string) { r.dialAddr = a }
