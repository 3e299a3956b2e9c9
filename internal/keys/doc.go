// Package keys owns each tenant's signing keys: it generates them, rotates
// them, and serves them to the token code and the JWKS endpoint.
//
// Why it is shaped this way:
//
//   - Relying parties cache our JWKS. A key is therefore published as `next`
//     for a whole rotation period before it signs anything, and stays
//     published as `retired` until every token it signed has expired
//     (RemoveAfter), so no rotation ever makes a valid token unverifiable.
//   - Every replica may rotate, so every change to a tenant's key set is one
//     store.Keys.Replace, which locks the tenant: two replicas can never both
//     promote a key, and a replica that lost the race sees the winner's set.
//   - Private keys are sealed under the master key (package secrets), bound
//     to tenant, kid and algorithm, so a database dump or a row copied to
//     another tenant yields nothing that signs.
//   - Signing is on the hot path of every token request, so decrypted keys,
//     each key's serialized JWS header per token type (compact.go) and the
//     serialized JWKS are cached in memory per tenant.
//     A replica trusts its cache for CacheTTL, then validates it with one
//     Version read; nothing on the signing path waits on the database while
//     any cached copy exists.
//   - The published public keys are derived from the decrypted private keys,
//     never read from the stored PublicJWK column: whoever can write the
//     database but lacks the master key cannot slip a key of their own into
//     the JWKS and mint tokens with it.
package keys
