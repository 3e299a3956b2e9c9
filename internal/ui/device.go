package ui

import "github.com/guildgate/guildgate/internal/i18n"

// The device flow's pages (RFC 8628, package oidc): the member types the
// code their television or terminal shows, then approves or denies it.
const (
	PageDeviceCode    = "device_code"
	PageDeviceConfirm = "device_confirm"
	PageDeviceDone    = "device_done"
)

var devicePageNames = []string{PageDeviceCode, PageDeviceConfirm, PageDeviceDone}

// DeviceCode asks for the user code. Code is what the form shows again:
// the code of a verification_uri_complete, or what was typed.
type DeviceCode struct {
	Page
	CSRFToken string
	Code      string
	Error     i18n.Message
}

// DeviceConfirm asks the signed-in member to approve or deny the device's
// request, naming the application and the code, so a member tricked into
// typing someone else's code can see it is not theirs (RFC 8628 §5.4).
type DeviceConfirm struct {
	Page
	CSRFToken string
	Ref       string // the sealed reference to the request
	Client    string // the application's name
	Code      string // XXXX-XXXX
	Email     string
}

// DeviceDone says what the member's answer did.
type DeviceDone struct {
	Page
	Approved bool
	Client   string
}
