// oauth4webapi as the relying party: its low-level, strict processing of
// each response, including RFC 9207 `iss` in authorization responses
// (validateAuthResponse), ID-token validation at the token endpoint, and
// RFC 9068 access tokens as a resource server would check them.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import * as oauth from 'oauth4webapi'
import { ALL_SCOPES, explain, fx, issuer, must, refused } from './fixture.mjs'
import { UserAgent, responseParams } from './ua.mjs'

const ada = fx.members.ada
let as // discovered once, before the flows

function rp(name) {
  const c = fx.clients[name]
  return {
    client: { client_id: c.client_id, id_token_signed_response_alg: c.id_token_alg },
    auth: c.public ? oauth.None() : oauth.ClientSecretPost(c.client_secret),
  }
}

before(async () => {
  const res = await must('discoveryRequest', oauth.discoveryRequest(issuer))
  as = await must('processDiscoveryResponse', oauth.processDiscoveryResponse(issuer, res))
})

/** authorize runs the browser through the OP; returns the raw response parameters. */
async function authorize(name, params = {}, member = ada) {
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const nonce = oauth.generateRandomNonce()
  const url = new URL(as.authorization_endpoint)
  const p = {
    client_id: fx.clients[name].client_id, redirect_uri: fx.redirect_uri, response_type: 'code', scope: ALL_SCOPES,
    state, nonce, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    ...params,
  }
  for (const [k, v] of Object.entries(p)) if (v !== undefined) url.searchParams.set(k, v) // undefined: not sent
  const result = await new UserAgent(issuer, member).navigate(url)
  return { params: responseParams(result), verifier, state, nonce }
}

/** codeFlow: authorize, validate the response (iss, state), exchange the code. */
async function codeFlow(name, params = {}) {
  const { client, auth } = rp(name)
  const a = await authorize(name, params)
  const cb = await must('validateAuthResponse', Promise.resolve().then(() => oauth.validateAuthResponse(as, client, a.params, a.state)))
  const res = await oauth.authorizationCodeGrantRequest(as, client, auth, cb, fx.redirect_uri, a.verifier)
  const tokens = await must('processAuthorizationCodeResponse', oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: a.nonce }))
  return { client, auth, tokens, ...a }
}

function assertOAuthError(err, code) {
  assert.equal(err.error, code, `want OAuth error ${code}, got:\n  ${explain(err)}`)
}

test('discovery: processDiscoveryResponse accepts the document; iss parameter advertised', () => {
  assert.equal(as.issuer, fx.issuer)
  assert.equal(as.authorization_response_iss_parameter_supported, true)
  assert.deepEqual(as.code_challenge_methods_supported, ['S256'])
})

test('authorization code + PKCE: strict ID token validation, then userinfo', async () => {
  const { client, tokens, nonce } = await codeFlow('rs256')
  const claims = oauth.getValidatedIdTokenClaims(tokens)
  assert.equal(claims.sub, ada.id)
  assert.equal(claims.nonce, nonce)
  assert.equal(claims.member_status, 'current')
  assert.deepEqual(claims.groups, [...ada.groups].sort())
  const res = await oauth.userInfoRequest(as, client, tokens.access_token)
  const info = await must('processUserInfoResponse', oauth.processUserInfoResponse(as, client, ada.id, res))
  assert.equal(info.email, ada.email)
  assert.equal(info.member_status, 'current')
})

test('RFC 9207: a success response carries iss; a wrong iss or state is refused', async () => {
  const { client } = rp('es256')
  const a = await authorize('es256')
  assert.equal(a.params.get('iss'), fx.issuer, `authorization response: ${a.params}`)
  assert.equal(a.params.get('state'), a.state)
  await must('validateAuthResponse', Promise.resolve().then(() => oauth.validateAuthResponse(as, client, a.params, a.state)))
  const forged = new URLSearchParams(a.params)
  forged.set('iss', 'https://evil.example')
  assert.throws(() => oauth.validateAuthResponse(as, client, forged, a.state), /unexpected "iss"/)
  assert.throws(() => oauth.validateAuthResponse(as, client, a.params, 'another-state'), /unexpected "state"/)
})

test('RFC 9207: an error response carries iss and state too', async () => {
  const { client } = rp('rs256')
  const a = await authorize('rs256', { scope: 'openid no-such-scope' })
  const err = await refused('an error response', Promise.resolve().then(() => oauth.validateAuthResponse(as, client, a.params, a.state)))
  assert.ok(err instanceof oauth.AuthorizationResponseError, `want the OP's error, got the library refusing the response:\n  ${explain(err)}`)
  assert.equal(err.error, 'invalid_scope')
})

test('no state sent: none comes back (validateAuthResponse with expectNoState)', async () => {
  const { client } = rp('rs256')
  const a = await authorize('rs256', { state: undefined })
  assert.equal(a.params.has('state'), false, `response: ${a.params}`)
  await must('validateAuthResponse', Promise.resolve().then(() => oauth.validateAuthResponse(as, client, a.params, oauth.expectNoState)))
})

test('PKCE: a wrong code_verifier is invalid_grant', async () => {
  const { client, auth } = rp('rs256')
  const a = await authorize('rs256')
  const cb = oauth.validateAuthResponse(as, client, a.params, a.state)
  const res = await oauth.authorizationCodeGrantRequest(as, client, auth, cb, fx.redirect_uri, oauth.generateRandomCodeVerifier())
  assertOAuthError(await refused('a wrong verifier', oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: a.nonce })), 'invalid_grant')
})

test('refresh token grant: new tokens, rotated refresh token', async () => {
  const { client, auth, tokens } = await codeFlow('es256')
  const res = await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token)
  const next = await must('processRefreshTokenResponse', oauth.processRefreshTokenResponse(as, client, res))
  assert.ok(next.refresh_token && next.refresh_token !== tokens.refresh_token)
  const again = await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token)
  assertOAuthError(await refused('reused refresh token', oauth.processRefreshTokenResponse(as, client, again)), 'invalid_grant')
})

test('client_credentials grant', async () => {
  const { client, auth } = rp('service')
  const res = await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams())
  const tokens = await must('processClientCredentialsResponse', oauth.processClientCredentialsResponse(as, client, res))
  assert.equal(tokens.token_type, 'bearer')
  assert.equal(tokens.refresh_token, undefined)
})

test('revocation and introspection', async () => {
  const { client, auth, tokens } = await codeFlow('rs256')
  const intro = async () => must('processIntrospectionResponse',
    oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, auth, tokens.access_token)))
  assert.equal((await intro()).active, true)
  const res = await oauth.revocationRequest(as, client, auth, tokens.access_token)
  await must('processRevocationResponse', oauth.processRevocationResponse(res))
  assert.equal((await intro()).active, false)
})

test('RFC 9068: the access token validates as a JWT access token', async () => {
  const { tokens } = await codeFlow('rs256')
  const req = new Request(as.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } })
  const claims = await must('validateJwtAccessToken', oauth.validateJwtAccessToken(as, req, fx.issuer))
  assert.equal(claims.sub, ada.id)
  assert.equal(claims.client_id, fx.clients.rs256.client_id)
})

test('hybrid (code id_token): validateCodeIdTokenResponse, then the code exchange', async () => {
  const { client, auth } = rp('es256')
  const a = await authorize('es256', { response_type: 'code id_token' })
  const cb = await must('validateCodeIdTokenResponse', oauth.validateCodeIdTokenResponse(as, client, a.params, a.nonce, a.state))
  const res = await oauth.authorizationCodeGrantRequest(as, client, auth, cb, fx.redirect_uri, a.verifier)
  const tokens = await must('processAuthorizationCodeResponse', oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: a.nonce }))
  assert.equal(oauth.getValidatedIdTokenClaims(tokens).sub, ada.id)
})
