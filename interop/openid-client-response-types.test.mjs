// openid-client v6 across the response types and modes Guildgate advertises:
// form_post, implicit (id_token, id_token token) and hybrid (code id_token,
// code id_token token, code token). The library validates the front-channel
// ID token (signature against JWKS, nonce, state, c_hash); at_hash, which it
// does not check, is checked here. RFC 9207 asks for `iss` in every
// authorization response, fragment and form_post ones included.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import { fx, issuer, must } from './fixture.mjs'
import { UserAgent, callback, responseParams } from './ua.mjs'
import { ada, assertAdaClaims, assertTokenHash, authorize, codeFlow, configFor } from './openid-client-rp.mjs'

/** assertFrontChannel checks where the response went and that it carries iss and state. */
function assertFrontChannel(result, checks, mode) {
  const want = mode === 'form_post' ? 'form_post' : 'redirect'
  assert.equal(result.type, want, `${mode} response`)
  if (mode === 'fragment') assert.equal(result.url.search, '', 'a fragment response puts nothing in the query')
  const params = responseParams(result)
  assert.equal(params.get('iss'), fx.issuer, `RFC 9207 iss in the ${mode} response: ${params}`)
  assert.equal(params.get('state'), checks.expectedState)
  return params
}

test('response_mode=form_post with response_type=code', async () => {
  const { tokens, result, checks } = await codeFlow('rs256', { response_mode: 'form_post' })
  assertFrontChannel(result, checks, 'form_post')
  assert.equal(result.url.href, fx.redirect_uri)
  assert.equal(tokens.claims().sub, ada.id)
})

for (const [mode, alg] of [['fragment', 'rs256'], ['form_post', 'es256']]) {
  test(`implicit (id_token), ${mode}`, async () => {
    const config = await configFor(alg, { execute: [client.useIdTokenResponseType] })
    const params = mode === 'form_post' ? { response_mode: 'form_post' } : {}
    const { result, checks } = await authorize(config, new UserAgent(issuer, ada), params, { pkce: false })
    assertFrontChannel(result, checks, mode)
    const claims = await must('implicitAuthentication', client.implicitAuthentication(config, callback(result),
      checks.expectedNonce, { expectedState: checks.expectedState }))
    assertAdaClaims(claims)
  })
}

test('implicit (id_token token): at_hash binds the access token, which works at userinfo', async () => {
  const config = await configFor('es256', { execute: [client.useIdTokenResponseType] })
  const { result, checks } = await authorize(config, new UserAgent(issuer, ada), { response_type: 'id_token token' }, { pkce: false })
  const params = assertFrontChannel(result, checks, 'fragment')
  const claims = await must('implicitAuthentication', client.implicitAuthentication(config, callback(result),
    checks.expectedNonce, { expectedState: checks.expectedState }))
  assert.equal(params.get('token_type')?.toLowerCase(), 'bearer')
  assert.ok(Number(params.get('expires_in')) > 0)
  assertTokenHash(params.get('id_token'), 'at_hash', params.get('access_token'))
  const info = await must('fetchUserInfo', client.fetchUserInfo(config, params.get('access_token'), claims.sub))
  assert.equal(info.sub, ada.id)
})

for (const mode of ['fragment', 'form_post']) {
  test(`hybrid (code id_token), ${mode}: c_hash and nonce checked, then the code exchanged`, async () => {
    const config = await configFor('eddsa', { execute: [client.useCodeIdTokenResponseType] })
    const params = mode === 'form_post' ? { response_mode: 'form_post' } : {}
    const { result, checks } = await authorize(config, new UserAgent(issuer, ada), params)
    assertFrontChannel(result, checks, mode)
    const tokens = await must('authorizationCodeGrant (hybrid)', client.authorizationCodeGrant(config, callback(result), checks))
    assertAdaClaims(tokens.claims())
  })
}

test('hybrid (code id_token token): c_hash and at_hash in the front-channel ID token', async () => {
  const config = await configFor('rs256', { execute: [client.useCodeIdTokenResponseType] })
  const { result, checks } = await authorize(config, new UserAgent(issuer, ada), { response_type: 'code id_token token' })
  const params = assertFrontChannel(result, checks, 'fragment')
  assertTokenHash(params.get('id_token'), 'at_hash', params.get('access_token'))
  const tokens = await must('authorizationCodeGrant (hybrid)', client.authorizationCodeGrant(config, callback(result), checks))
  assertAdaClaims(tokens.claims())
})

test('hybrid (code token): the fragment carries a code and an access token', async () => {
  const config = await configFor('rs256')
  const { result, checks } = await authorize(config, new UserAgent(issuer, ada), { response_type: 'code token' })
  const params = assertFrontChannel(result, checks, 'fragment')
  assert.ok(params.get('access_token'))
  assert.equal(params.get('id_token'), null, 'no ID token unless asked for')
  // openid-client reads a code from the query; an RP's page moves it there.
  const current = new URL(fx.redirect_uri)
  current.search = params.toString()
  const tokens = await must('authorizationCodeGrant (code token)', client.authorizationCodeGrant(config, current, checks))
  assertAdaClaims(tokens.claims())
})

// Errors use the response type's default mode (fragment for anything that
// returns a token from the authorization endpoint) or the requested one,
// with iss (RFC 9207) and state, never the query.
const errorCases = [
  ['implicit, an unknown scope', 'id_token', { scope: 'openid no-such-scope' }, 'fragment', 'invalid_scope'],
  ['implicit without a nonce', 'id_token', { nonce: undefined }, 'fragment', 'invalid_request'],
  ['hybrid, prompt=none without a session', 'code id_token', { prompt: 'none' }, 'fragment', 'login_required'],
  ['code, form_post, an unknown scope', 'code', { scope: 'openid no-such-scope', response_mode: 'form_post' }, 'form_post', 'invalid_scope'],
]

for (const [name, responseType, extra, mode, want] of errorCases) {
  test(`error response (${name}): ${want} in the ${mode}, with iss and state`, async () => {
    const url = new URL('/oauth/authorize', issuer)
    const checks = { expectedState: client.randomState() }
    const p = { client_id: fx.clients.rs256.client_id, redirect_uri: fx.redirect_uri, response_type: responseType,
      scope: 'openid', state: checks.expectedState, nonce: client.randomNonce(), ...extra }
    for (const [k, v] of Object.entries(p)) if (v !== undefined) url.searchParams.set(k, v)
    const result = await new UserAgent(issuer).navigate(url, { signIn: false })
    const params = assertFrontChannel(result, checks, mode)
    assert.equal(params.get('error'), want, `${params}`)
  })
}
