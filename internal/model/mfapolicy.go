package model

// MFAPolicy is a tenant's rule for second factors.
type MFAPolicy string

const (
	MFAOptional MFAPolicy = "optional" // members choose
	MFAAdmins   MFAPolicy = "admins"   // every administrator must use one
	MFARequired MFAPolicy = "required" // every member who signs in with a password
)

// Valid reports whether p is one of the policies.
func (p MFAPolicy) Valid() bool { return p == MFAOptional || p == MFAAdmins || p == MFARequired }
