// The relying party built on openid-client v6 that the openid-client*.test.mjs
// files share: configuration per fixture client, the browser round trip, and
// the assertions on what the RP receives.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import * as client from 'openid-client'
import { ALL_SCOPES, explain, fx, issuer, must } from './fixture.mjs'
import { UserAgent, callback } from './ua.mjs'

export const ada = fx.members.ada

/**
 * configFor discovers the issuer as client `name`. The library is told the
 * client's registered ID-token algorithm, so it refuses any other; for
 * asymmetric algorithms it also verifies ID-token signatures against JWKS
 * (enableNonRepudiationChecks), which it otherwise skips for token responses.
 */
export async function configFor(name, { execute = [], basic = false } = {}) {
  const c = fx.clients[name]
  const metadata = { id_token_signed_response_alg: c.id_token_alg }
  let auth = client.None()
  if (!c.public) {
    metadata.client_secret = c.client_secret
    auth = basic ? client.ClientSecretBasic(c.client_secret) : client.ClientSecretPost(c.client_secret)
  }
  const config = await must(`discovery as ${name}`, client.discovery(issuer, c.client_id, metadata, auth, { execute }))
  if (c.id_token_alg !== 'HS256') client.enableNonRepudiationChecks(config)
  return config
}

/**
 * authorize sends the browser through the OP with state, nonce and (unless
 * pkce is false) PKCE; returns the browser's result and the checks the RP
 * keeps for the response. nav is passed to UserAgent.navigate.
 */
export async function authorize(config, ua, params = {}, { pkce = true, ...nav } = {}) {
  const checks = { expectedState: client.randomState(), expectedNonce: client.randomNonce() }
  const p = { redirect_uri: fx.redirect_uri, scope: ALL_SCOPES, state: checks.expectedState, nonce: checks.expectedNonce }
  if (pkce) {
    checks.pkceCodeVerifier = client.randomPKCECodeVerifier()
    p.code_challenge = await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier)
    p.code_challenge_method = 'S256'
  }
  Object.assign(p, params)
  const result = await ua.navigate(client.buildAuthorizationUrl(config, p), nav)
  return { result, checks }
}

/** codeFlow signs ada in to client `name` and exchanges the code. */
export async function codeFlow(name, params = {}, opts = {}) {
  const config = await configFor(name, opts)
  const ua = new UserAgent(issuer, ada)
  const { result, checks } = await authorize(config, ua, params)
  const tokens = await must('authorizationCodeGrant', client.authorizationCodeGrant(config, callback(result), checks))
  return { config, ua, tokens, checks, result }
}

/** assertAdaClaims checks the member claims the full scope set releases. */
export function assertAdaClaims(claims, { groups = true } = {}) {
  assert.equal(claims.sub, ada.id)
  assert.equal(claims.email, ada.email)
  assert.equal(claims.email_verified, true)
  assert.equal(claims.name, ada.name)
  assert.equal(claims.given_name, ada.given_name)
  assert.equal(claims.family_name, ada.family_name)
  assert.equal(claims.member_status, 'current')
  assert.equal(claims.legacy_id, ada.legacy_id)
  if (groups) assert.deepEqual(claims.groups, [...ada.groups].sort())
}

export function assertOAuthError(err, code) {
  assert.equal(err.error, code, `want OAuth error ${code}, got:\n  ${explain(err)}`)
}

/**
 * assertTokenHash checks at_hash / c_hash (OIDC Core 3.3.2.11), which the
 * libraries verify only for c_hash: the left half of the hash of the value,
 * with the hash of the ID token's algorithm (SHA-512 for Ed25519).
 */
export function assertTokenHash(idToken, claim, value) {
  const { alg } = JSON.parse(Buffer.from(idToken.split('.')[0], 'base64url').toString())
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString())
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(value, 'ascii').digest()
  assert.equal(claims[claim], digest.subarray(0, digest.length / 2).toString('base64url'), `${claim} (${alg})`)
}
