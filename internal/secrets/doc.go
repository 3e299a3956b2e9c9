// Package secrets encrypts the values Guildgate must be able to read back but
// must not store in the clear: SSO client secrets (they key HS256 ID tokens,
// so they cannot be hashed), upstream identity-provider client secrets and
// signing private keys. A stolen database dump or backup then reveals none of
// them without the master key, which lives outside the database (the
// GUILDGATE_MASTER_KEY environment variable or a 0600 key file).
//
// Values are sealed with AES-256-GCM under a master key and stored as
// self-describing strings, "v1.<key id>.<base64url(nonce|ciphertext|tag)>".
// The key id lets the master key be rotated: new values are sealed with the
// primary key, old ones still open with the key that sealed them. Associated
// data binds each value to its row and field, so a value copied into another
// row (say, one tenant's client secret into another's) fails to decrypt.
//
// The package is a leaf: it imports nothing from Guildgate.
package secrets
