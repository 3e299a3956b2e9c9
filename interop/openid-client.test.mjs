// openid-client v6 as the relying party: the code flow and everything
// around it (tokens, claims, userinfo, refresh, introspection, revocation,
// client_credentials, prompt, max_age, logout), with the library's own
// validation of state, nonce, PKCE, iss, ID-token claims and signatures.
// The other response types and modes are in openid-client-response-types.test.mjs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import * as jose from 'jose'
import { decodeJwt, explain, fx, issuer, must, refused } from './fixture.mjs'
import { UserAgent, callback, responseParams } from './ua.mjs'
import { ada, assertAdaClaims, assertOAuthError, authorize, codeFlow, configFor } from './openid-client-rp.mjs'

const SESSION_COOKIE = '__Host-gg_session'

test('discovery: issuer, endpoints, PKCE S256', async () => {
  const config = await configFor('rs256')
  const md = config.serverMetadata()
  assert.equal(md.issuer, fx.issuer)
  assert.ok(md.supportsPKCE('S256'), 'S256 advertised')
  assert.ok(!md.supportsPKCE('plain'), 'plain must not be advertised')
  for (const ep of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
    assert.ok(md[ep]?.startsWith(fx.issuer + '/'), `${ep} = ${md[ep]}`)
  }
})

test('authorization code + PKCE (RS256, client_secret_basic): tokens and ID token claims', async () => {
  const { tokens, checks, config } = await codeFlow('rs256', {}, { basic: true })
  assert.equal(tokens.token_type, 'bearer')
  assert.ok(tokens.expires_in > 0)
  assert.ok(tokens.refresh_token, 'offline_access grants a refresh token')
  const claims = tokens.claims()
  assert.equal(claims.iss, fx.issuer)
  assert.equal(claims.aud, config.clientMetadata().client_id)
  assert.equal(claims.nonce, checks.expectedNonce)
  assert.equal(typeof claims.auth_time, 'number')
  assert.equal(typeof claims.sid, 'string')
  assertAdaClaims(claims)
  assert.equal(decodeJwt(tokens.id_token).header.alg, 'RS256')
})

test('scope openid alone: sub and member_status, no email or groups', async () => {
  const { tokens } = await codeFlow('rs256', { scope: 'openid' })
  const claims = tokens.claims()
  assert.equal(claims.sub, ada.id)
  assert.equal(claims.member_status, 'current')
  assert.equal(claims.legacy_id, ada.legacy_id)
  for (const absent of ['email', 'groups', 'name']) assert.equal(claims[absent], undefined, `${absent} without its scope`)
  assert.equal(tokens.refresh_token, undefined, 'no refresh token without offline_access')
})

test('userinfo returns the ID token claims', async () => {
  const { tokens, config } = await codeFlow('rs256')
  const info = await must('fetchUserInfo', client.fetchUserInfo(config, tokens.access_token, ada.id))
  assertAdaClaims(info)
  const idClaims = tokens.claims()
  for (const k of ['sub', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'member_status', 'legacy_id', 'groups']) {
    assert.deepEqual(info[k], idClaims[k], `userinfo ${k}`)
  }
})

for (const [name, alg] of [['es256', 'ES256'], ['eddsa', 'EdDSA'], ['hs256', 'HS256']]) {
  test(`${alg} ID token (client registered for ${alg})`, async () => {
    const { tokens } = await codeFlow(name)
    assert.equal(decodeJwt(tokens.id_token).header.alg, alg)
    assertAdaClaims(tokens.claims())
    if (alg === 'HS256') {
      // The libraries never verify HS* themselves; a partner does it with the secret.
      const key = new TextEncoder().encode(fx.clients[name].client_secret)
      await must('HS256 signature with the client secret', jose.jwtVerify(tokens.id_token, key, {
        issuer: fx.issuer, audience: fx.clients[name].client_id, algorithms: ['HS256'],
      }))
    }
  })
}

test('refresh: rotation on every use, reuse of a rotated token revokes the family', async () => {
  const { tokens, config } = await codeFlow('rs256')
  const next = await must('refreshTokenGrant', client.refreshTokenGrant(config, tokens.refresh_token))
  assert.ok(next.access_token && next.access_token !== tokens.access_token)
  assert.ok(next.refresh_token && next.refresh_token !== tokens.refresh_token, 'refresh token rotated')
  if (next.id_token) { // OIDC Core 12.2: same iss, sub, aud; auth_time of the original authentication
    const before = tokens.claims()
    const after = next.claims()
    for (const k of ['iss', 'sub', 'aud', 'auth_time']) assert.deepEqual(after[k], before[k], `refreshed ID token ${k}`)
  }
  assertOAuthError(await refused('reusing a rotated refresh token', client.refreshTokenGrant(config, tokens.refresh_token)), 'invalid_grant')
  assertOAuthError(await refused('the family after reuse', client.refreshTokenGrant(config, next.refresh_token)), 'invalid_grant')
})

test('introspection and revocation (RFC 7662, RFC 7009)', async () => {
  const { tokens, config } = await codeFlow('rs256')
  const live = await must('tokenIntrospection', client.tokenIntrospection(config, tokens.access_token))
  assert.equal(live.active, true)
  assert.equal(live.sub, ada.id)
  assert.equal(live.client_id, fx.clients.rs256.client_id)
  await must('tokenRevocation', client.tokenRevocation(config, tokens.access_token))
  const dead = await must('tokenIntrospection after revocation', client.tokenIntrospection(config, tokens.access_token))
  assert.equal(dead.active, false)
  const err = await refused('userinfo with a revoked token', client.fetchUserInfo(config, tokens.access_token, ada.id))
  assert.ok(err instanceof client.WWWAuthenticateChallengeError, explain(err))
  assert.equal(err.cause[0]?.parameters?.error, 'invalid_token')
  await must('revoking the refresh token', client.tokenRevocation(config, tokens.refresh_token))
  assertOAuthError(await refused('refresh after revocation', client.refreshTokenGrant(config, tokens.refresh_token)), 'invalid_grant')
})

test('a second use of a code is invalid_grant and revokes the first tokens', async () => {
  const { tokens, config, result, checks } = await codeFlow('rs256')
  assertOAuthError(await refused('replayed code', client.authorizationCodeGrant(config, callback(result), checks)), 'invalid_grant')
  const after = await must('tokenIntrospection', client.tokenIntrospection(config, tokens.access_token))
  assert.equal(after.active, false, 'the first exchange\'s access token is revoked')
})

test('client_credentials grant', async () => {
  const config = await configFor('service')
  const tokens = await must('clientCredentialsGrant', client.clientCredentialsGrant(config))
  assert.equal(tokens.token_type, 'bearer')
  assert.equal(tokens.refresh_token, undefined)
  assert.equal(tokens.id_token, undefined)
  const info = await must('tokenIntrospection', client.tokenIntrospection(config, tokens.access_token))
  assert.equal(info.active, true)
  assert.equal(info.client_id, fx.clients.service.client_id)
  assertOAuthError(await refused('openid on client_credentials', client.clientCredentialsGrant(config, { scope: 'openid' })), 'invalid_scope')
})

test('token endpoint: a wrong secret by client_secret_basic is 401 invalid_client with a Basic challenge', async () => {
  const c = fx.clients.service
  const config = await must('discovery', client.discovery(issuer, c.client_id, undefined, client.ClientSecretBasic('wrong-' + c.client_secret)))
  const err = await refused('a wrong client secret', client.clientCredentialsGrant(config))
  assert.equal(err.status, 401, explain(err))
  // RFC 6749 5.2: a client that authenticated with the Authorization header gets a challenge for that scheme.
  assert.ok(err instanceof client.WWWAuthenticateChallengeError, `want a WWW-Authenticate challenge:\n  ${explain(err)}`)
  assert.equal(err.cause[0]?.scheme, 'basic')
  assert.equal((await err.response.json()).error, 'invalid_client')
})

test('public client: PKCE and no secret', async () => {
  const { tokens } = await codeFlow('public')
  assert.equal(tokens.claims().sub, ada.id)
  const config = await configFor('public')
  const { result } = await authorize(config, new UserAgent(issuer, ada), {}, { pkce: false })
  const params = responseParams(result)
  assert.equal(params.get('error'), 'invalid_request', `a public client without PKCE: ${params}`)
})

test('prompt=none with a session: a code without a login page', async () => {
  const { config, ua } = await codeFlow('rs256')
  const { result, checks } = await authorize(config, ua, { prompt: 'none' }, { signIn: false })
  const tokens = await must('authorizationCodeGrant (prompt=none)', client.authorizationCodeGrant(config, callback(result), checks))
  assert.equal(tokens.claims().sub, ada.id)
})

test('prompt=login asks for the password again and moves auth_time', async () => {
  const { config, ua, tokens } = await codeFlow('rs256')
  await new Promise((resolve) => setTimeout(resolve, 1100)) // auth_time has a one-second resolution
  const { result, checks } = await authorize(config, ua, { prompt: 'login' })
  const again = await must('authorizationCodeGrant (prompt=login)', client.authorizationCodeGrant(config, callback(result), checks))
  assert.equal(ua.signIns, 2, 'prompt=login must show the login form although a session exists')
  assert.ok(again.claims().auth_time > tokens.claims().auth_time, 'auth_time is the new authentication')
})

test('max_age: auth_time is present and recent', async () => {
  const config = await configFor('rs256')
  const { result, checks } = await authorize(config, new UserAgent(issuer, ada), { max_age: '300' })
  const tokens = await must('authorizationCodeGrant (max_age)', client.authorizationCodeGrant(config, callback(result), { ...checks, maxAge: 300 }))
  assert.ok(Math.abs(tokens.claims().auth_time - Date.now() / 1000) < 120)
})

test('RP-initiated logout: back to the registered URI with state; then prompt=none is login_required', async () => {
  const { config, ua, tokens } = await codeFlow('rs256')
  assert.ok(ua.hasCookie(SESSION_COOKIE), 'signed in')
  const state = client.randomState()
  const url = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token, post_logout_redirect_uri: fx.post_logout_redirect_uri, state,
  })
  const out = await ua.navigate(url, { signIn: false, confirmLogout: true })
  const landed = callback(out)
  assert.equal(landed.origin + landed.pathname, fx.post_logout_redirect_uri)
  assert.equal(landed.searchParams.get('state'), state)
  const { result, checks } = await authorize(config, ua, { prompt: 'none' }, { signIn: false })
  const err = await refused('prompt=none after logout', client.authorizationCodeGrant(config, callback(result), checks))
  assert.ok(err instanceof client.AuthorizationResponseError, explain(err))
  assert.equal(err.error, 'login_required')
})

test('RP-initiated logout by a form POST from the RP (RP-Initiated Logout 1.0 section 2: GET and POST)', async () => {
  const { config, ua, tokens } = await codeFlow('public')
  const state = client.randomState()
  const url = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token, post_logout_redirect_uri: fx.post_logout_redirect_uri, state,
  })
  const post = new URLSearchParams(url.search)
  url.search = ''
  const landed = callback(await ua.navigate(url, { signIn: false, confirmLogout: true, post }))
  assert.equal(landed.origin + landed.pathname, fx.post_logout_redirect_uri)
  assert.equal(landed.searchParams.get('state'), state)
  assert.ok(!ua.hasCookie(SESSION_COOKIE), 'the session cookie is gone')
})

test('RP-initiated logout with an HS256 id_token_hint (keyed with the client secret)', async () => {
  const { config, ua, tokens } = await codeFlow('hs256')
  const state = client.randomState()
  const url = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token, post_logout_redirect_uri: fx.post_logout_redirect_uri, state,
  })
  const landed = callback(await ua.navigate(url, { signIn: false, confirmLogout: true }))
  assert.equal(landed.origin + landed.pathname, fx.post_logout_redirect_uri)
  assert.equal(landed.searchParams.get('state'), state)
})

test('logout never redirects to a post_logout_redirect_uri the client did not register', async () => {
  const { config, ua, tokens } = await codeFlow('rs256')
  const url = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://evil.example/after', state: 'x',
  })
  const out = await ua.navigate(url, { signIn: false, confirmLogout: true })
  assert.ok(out.type === 'page' || out.url.origin !== 'https://evil.example', `redirected to ${out.url}`)
})

test('a member outside the permitted groups gets access_denied', async () => {
  const config = await configFor('board')
  const { result, checks } = await authorize(config, new UserAgent(issuer, fx.members.bob))
  const err = await refused('bob at a board-only client', client.authorizationCodeGrant(config, callback(result), checks))
  assert.ok(err instanceof client.AuthorizationResponseError, explain(err))
  assert.equal(err.error, 'access_denied')
})
