package oauth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// UnverifiedClaim reads the string claim name from the payload of the
// compact JWS tok without verifying its signature. It is only for finding
// the key that then verifies tok (a client assertion's sub) or for reading
// back a token this server has just signed; never trust what it returns.
func UnverifiedClaim(tok, name string) (string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", errors.New("not a compact JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", fmt.Errorf("payload: %w", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", fmt.Errorf("payload: %w", err)
	}
	v, _ := claims[name].(string)
	if v == "" {
		return "", fmt.Errorf("no %s", name)
	}
	return v, nil
}
