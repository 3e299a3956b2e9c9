package views

import (
	"time"

	"github.com/guildgate/guildgate/internal/onetime"
)

// ResetLink is a new password-reset link, shown this once: only its hash
// is stored. The administrator passes it on.
type ResetLink struct {
	MemberID  string    `json:"member_id"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SetupLink is a new single-use link on which an organisation's IT contact
// completes a connection (or the first administrator is created), shown
// this once: only its hash is stored.
type SetupLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Invitation is a sent invitation. URL is present only when the site
// sends no mail, for the administrator to pass on; a mailed link is never
// shown.
type Invitation struct {
	MemberID  string    `json:"member_id"`
	Email     string    `json:"email"`
	Mailed    bool      `json:"mailed"`
	URL       string    `json:"url,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// InvitationOf is the view of a sent invitation.
func InvitationOf(inv onetime.Invitation) Invitation {
	return Invitation{MemberID: inv.Member.ID, Email: inv.Member.Email, Mailed: inv.Mailed, URL: inv.URL, ExpiresAt: inv.ExpiresAt}
}

// PendingInvitation is an invitation sent and not yet accepted, withdrawn
// or expired. Its link is never shown again: inviting the address anew
// replaces it.
type PendingInvitation struct {
	MemberID  string    `json:"member_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PendingInvitationOf is the view of a pending invitation.
func PendingInvitationOf(p onetime.Pending) PendingInvitation {
	return PendingInvitation{MemberID: p.Member.ID, Email: p.Member.Email, Name: p.Member.Name, SentAt: p.SentAt,
		ExpiresAt: p.ExpiresAt}
}
