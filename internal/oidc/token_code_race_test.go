package oidc

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// A code presented twice at once: the redemption that consumed it must not be
// failed by the revocation the other one's reuse check causes; an earlier
// revocation (logout, an administrator) still fails it.
func TestRevokedByReuse(t *testing.T) {
	consumed := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ac := model.AuthCode{ClientID: "c1", ConsumedAt: consumed}
	for name, tc := range map[string]struct {
		revoked time.Time
		client  string
		want    bool
	}{
		"not revoked":                          {time.Time{}, "c1", false},
		"revoked by the racing reuse":          {consumed.Add(30 * time.Millisecond), "c1", true},
		"revoked the instant it was consumed":  {consumed, "c1", false},
		"revoked before the code was consumed": {consumed.Add(-time.Millisecond), "c1", false},
		"another client's grant":               {consumed.Add(time.Millisecond), "c2", false},
	} {
		g := model.Grant{RevokedAt: tc.revoked, ClientID: tc.client}
		if got := revokedByReuse(g, ac); got != tc.want {
			t.Errorf("%s: revokedByReuse = %v, want %v", name, got, tc.want)
		}
	}
}
