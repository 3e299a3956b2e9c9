package throttle

import "time"

// Buckets of the device authorization grant (RFC 8628 §5.1: "the
// authorization server SHOULD implement rate limiting on the user code
// entry"). Starting a request stores a row, so anonymous starts are limited
// like the other starts of a sign-in; entering a user code is a guess at a
// short secret, so it is limited per client address and per code typed.
const (
	// UseDeviceStart limits /oauth/device_authorization per address, at
	// the SSOStart rate (AllowAddress).
	UseDeviceStart = "device-start"
	// UseDeviceEntry limits user-code entries per client address
	// (AllowAddress; IPv6 by /64).
	UseDeviceEntry = "device-entry"
	// UseDeviceCode limits entries of one user code, from anywhere
	// (AllowFor); the caller passes the code's hash, never the code, so the
	// throttle table holds nothing a member could type.
	UseDeviceCode = "device-code"
)

// Defaults: ten codes typed from one address, then one every six seconds
// (a family mistyping on a shared connection still gets through; a guesser
// gets 600 an hour, against some 2^34 codes); five entries of one code,
// then one a minute.
var (
	DefaultDeviceEntry = Rate{Burst: 10, Every: 6 * time.Second}
	DefaultDeviceCode  = Rate{Burst: 5, Every: time.Minute}
)

func (l *Limiter) deviceEntryRate() Rate { return l.DeviceEntry.orDefault(DefaultDeviceEntry) }

func (l *Limiter) deviceCodeRate() Rate { return l.DeviceCode.orDefault(DefaultDeviceCode) }
