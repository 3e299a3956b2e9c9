package mfa

import (
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The RFC 6238 parameters every authenticator app understands.
const (
	period = 30
	digits = 6
	skew   = 1 // steps either side of now that are accepted
)

var validateOpts = totp.ValidateOpts{Period: period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// step is the RFC 6238 time step of at.
func step(at time.Time) int64 { return at.Unix() / period }

// matchStep returns the step within the skew window whose code is code,
// comparing in constant time, or ok=false. Every step is computed and
// compared so timing does not say which one matched.
func matchStep(secret, code string, now time.Time) (int64, bool, error) {
	var found int64
	ok := 0
	for d := -skew; d <= skew; d++ {
		st := step(now) + int64(d)
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*period, 0), validateOpts)
		if err != nil {
			return 0, false, fmt.Errorf("mfa: totp code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && ok == 0 {
			found, ok = st, 1
		}
	}
	return found, ok == 1, nil
}

// isTOTPCode reports whether s has the shape of a code: six ASCII digits.
func isTOTPCode(s string) bool {
	if len(s) != digits {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
