// The modern OAuth profile through both libraries: pushed authorization
// requests (RFC 9126), signed request objects (RFC 9101) by value and
// pushed, a --require-par client refusing a plain request, and a
// request_uri answering once. Each library builds and signs its requests
// itself, so a success proves the server reads them as the RFCs write them.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import * as oauth from 'oauth4webapi'
import { ALL_SCOPES, explain, fx, issuer, must, refused } from './fixture.mjs'
import { UserAgent, callback, responseParams } from './ua.mjs'

const ada = fx.members.ada
let as // oauth4webapi's discovered metadata

/** privateKey imports fixture client name's ES256 key for signing. */
async function privateKey(name) {
  const jwk = fx.keys[name]
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])
  return { key, kid: jwk.kid }
}

before(async () => {
  const res = await must('discoveryRequest', oauth.discoveryRequest(issuer))
  as = await must('processDiscoveryResponse', oauth.processDiscoveryResponse(issuer, res))
})

test('discovery lists PAR and request objects', () => {
  assert.equal(as.pushed_authorization_request_endpoint, fx.issuer + '/oauth/par')
  assert.equal(as.request_parameter_supported, true)
  assert.ok(as.request_object_signing_alg_values_supported.includes('ES256'))
  assert.ok(!as.request_object_signing_alg_values_supported.includes('none'))
})

/** openid-client: the RP's configuration for a client with a secret. */
async function oidcConfig(name) {
  const c = fx.clients[name]
  return must(`discovery as ${name}`, client.discovery(issuer, c.client_id, { client_secret: c.client_secret },
    client.ClientSecretPost(c.client_secret)))
}

async function oidcParams() {
  const checks = { expectedState: client.randomState(), expectedNonce: client.randomNonce(), pkceCodeVerifier: client.randomPKCECodeVerifier() }
  const params = {
    redirect_uri: fx.redirect_uri, scope: ALL_SCOPES, state: checks.expectedState, nonce: checks.expectedNonce,
    code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier), code_challenge_method: 'S256',
  }
  return { checks, params }
}

test('openid-client: buildAuthorizationUrlWithPAR, then the code exchange', async () => {
  const config = await oidcConfig('par')
  const { checks, params } = await oidcParams()
  const url = await must('buildAuthorizationUrlWithPAR', client.buildAuthorizationUrlWithPAR(config, params))
  assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri'])
  const result = await new UserAgent(issuer, ada).navigate(url)
  const tokens = await must('authorizationCodeGrant', client.authorizationCodeGrant(config, callback(result), checks))
  assert.equal(tokens.claims().sub, ada.id)
  assert.equal(tokens.claims().nonce, checks.expectedNonce)
})

test('openid-client: a request object signed with the client key, pushed (JAR + PAR)', async () => {
  const config = await oidcConfig('par')
  const { checks, params } = await oidcParams()
  const jar = await must('buildAuthorizationUrlWithJAR', client.buildAuthorizationUrlWithJAR(config, params, await privateKey('par')))
  const url = await must('buildAuthorizationUrlWithPAR', client.buildAuthorizationUrlWithPAR(config, jar.searchParams))
  const result = await new UserAgent(issuer, ada).navigate(url)
  const tokens = await must('authorizationCodeGrant', client.authorizationCodeGrant(config, callback(result), checks))
  assert.equal(tokens.claims().sub, ada.id)
})

test('openid-client: a --require-par client refuses a plain request, with iss (RFC 9207)', async () => {
  const config = await oidcConfig('par')
  const { checks, params } = await oidcParams()
  const result = await new UserAgent(issuer, ada).navigate(client.buildAuthorizationUrl(config, params))
  const err = await refused('a plain request', client.authorizationCodeGrant(config, callback(result), checks))
  assert.equal(err.error, 'invalid_request', explain(err))
  assert.equal(responseParams(result).get('iss'), fx.issuer)
})

/** openid-client: the RP of the private_key_jwt client. */
async function pkjwtConfig() {
  return must('discovery as pkjwt', client.discovery(issuer, fx.clients.pkjwt.client_id, {},
    client.PrivateKeyJwt(await privateKey('pkjwt'))))
}

test('discovery lists private_key_jwt and its algorithms', () => {
  assert.ok(as.token_endpoint_auth_methods_supported.includes('private_key_jwt'))
  assert.ok(as.token_endpoint_auth_signing_alg_values_supported.includes('ES256'))
})

test('openid-client: a request object by value (buildAuthorizationUrlWithJAR), code exchanged with private_key_jwt', async () => {
  const config = await pkjwtConfig()
  const { checks, params } = await oidcParams()
  const url = await must('buildAuthorizationUrlWithJAR', client.buildAuthorizationUrlWithJAR(config, params, await privateKey('pkjwt')))
  assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request'])
  const result = await new UserAgent(issuer, ada).navigate(url)
  assert.equal(responseParams(result).get('iss'), fx.issuer)
  const tokens = await must('authorizationCodeGrant', client.authorizationCodeGrant(config, callback(result), checks))
  assert.equal(tokens.claims().sub, ada.id)
  const refreshed = await must('refreshTokenGrant', client.refreshTokenGrant(config, tokens.refresh_token))
  assert.ok(refreshed.access_token)
  const info = await must('tokenIntrospection', client.tokenIntrospection(config, refreshed.access_token))
  assert.equal(info.active, true)
})

test('openid-client: PAR authenticated with private_key_jwt', async () => {
  const config = await pkjwtConfig()
  const { checks, params } = await oidcParams()
  const url = await must('buildAuthorizationUrlWithPAR', client.buildAuthorizationUrlWithPAR(config, params))
  const result = await new UserAgent(issuer, ada).navigate(url)
  const tokens = await must('authorizationCodeGrant', client.authorizationCodeGrant(config, callback(result), checks))
  assert.equal(tokens.claims().sub, ada.id)
})

test('openid-client: the private_key_jwt client cannot use its secret', async () => {
  const c = fx.clients.pkjwt
  const config = await must('discovery', client.discovery(issuer, c.client_id, { client_secret: c.client_secret },
    client.ClientSecretPost(c.client_secret)))
  const { params } = await oidcParams()
  const err = await refused('a push with the secret', client.buildAuthorizationUrlWithPAR(config, params))
  assert.equal(err.status, 401, explain(err)) // openid-client reports the Basic challenge of invalid_client
})

/** oauth4webapi: push, send the browser, validate the response. */
async function o4wPushed(name, parameters) {
  const c = fx.clients[name]
  const o4wClient = { client_id: c.client_id }
  const auth = name === 'pkjwt' ? oauth.PrivateKeyJwt(await privateKey(name)) : oauth.ClientSecretPost(c.client_secret)
  const res = await oauth.pushedAuthorizationRequest(as, o4wClient, auth, parameters)
  const pushed = await must('processPushedAuthorizationResponse', oauth.processPushedAuthorizationResponse(as, o4wClient, res))
  assert.equal(pushed.expires_in, 90)
  const url = new URL(as.authorization_endpoint)
  url.searchParams.set('client_id', c.client_id)
  url.searchParams.set('request_uri', pushed.request_uri)
  return { o4wClient, auth, url }
}

async function o4wParams() {
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const nonce = oauth.generateRandomNonce()
  const parameters = {
    redirect_uri: fx.redirect_uri, response_type: 'code', scope: ALL_SCOPES, state, nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  }
  return { verifier, state, nonce, parameters }
}

test('oauth4webapi: pushedAuthorizationRequest, code exchange, and the request_uri answers once', async () => {
  const { verifier, state, nonce, parameters } = await o4wParams()
  const { o4wClient, auth, url } = await o4wPushed('par', parameters)
  const ua = new UserAgent(issuer, ada)
  const params = responseParams(await ua.navigate(url))
  const cb = await must('validateAuthResponse', Promise.resolve().then(() => oauth.validateAuthResponse(as, o4wClient, params, state)))
  const res = await oauth.authorizationCodeGrantRequest(as, o4wClient, auth, cb, fx.redirect_uri, verifier)
  const tokens = await must('processAuthorizationCodeResponse', oauth.processAuthorizationCodeResponse(as, o4wClient, res, { expectedNonce: nonce }))
  assert.equal(oauth.getValidatedIdTokenClaims(tokens).sub, ada.id)

  const again = responseParams(await ua.navigate(url))
  const err = await refused('a second use of the request_uri', Promise.resolve().then(() => oauth.validateAuthResponse(as, o4wClient, again, state)))
  assert.equal(err.error, 'invalid_request_uri', explain(err))
})

test('oauth4webapi: issueRequestObject, pushed', async () => {
  const { verifier, state, nonce, parameters } = await o4wParams()
  const c = fx.clients.par
  const request = await must('issueRequestObject', oauth.issueRequestObject(as, { client_id: c.client_id }, parameters, await privateKey('par')))
  const { o4wClient, auth, url } = await o4wPushed('par', { request })
  const params = responseParams(await new UserAgent(issuer, ada).navigate(url))
  const cb = await must('validateAuthResponse', Promise.resolve().then(() => oauth.validateAuthResponse(as, o4wClient, params, state)))
  const res = await oauth.authorizationCodeGrantRequest(as, o4wClient, auth, cb, fx.redirect_uri, verifier)
  await must('processAuthorizationCodeResponse', oauth.processAuthorizationCodeResponse(as, o4wClient, res, { expectedNonce: nonce }))
})

test('oauth4webapi: private_key_jwt at PAR and the token endpoint, with a signed request object', async () => {
  const { verifier, state, nonce, parameters } = await o4wParams()
  const c = fx.clients.pkjwt
  const request = await must('issueRequestObject', oauth.issueRequestObject(as, { client_id: c.client_id }, parameters, await privateKey('pkjwt')))
  const { o4wClient, auth, url } = await o4wPushed('pkjwt', { request })
  const params = responseParams(await new UserAgent(issuer, ada).navigate(url))
  const cb = await must('validateAuthResponse', Promise.resolve().then(() => oauth.validateAuthResponse(as, o4wClient, params, state)))
  const res = await oauth.authorizationCodeGrantRequest(as, o4wClient, auth, cb, fx.redirect_uri, verifier)
  const tokens = await must('processAuthorizationCodeResponse', oauth.processAuthorizationCodeResponse(as, o4wClient, res, { expectedNonce: nonce }))
  assert.equal(oauth.getValidatedIdTokenClaims(tokens).sub, ada.id)
})

test('discovery lists DPoP algorithms', () => {
  assert.ok(as.dpop_signing_alg_values_supported.includes('ES256'))
})

test('openid-client: DPoP-bound tokens for a public --require-dpop client, userinfo and refresh with proofs', async () => {
  const c = fx.clients.dpop
  const config = await must('discovery as dpop', client.discovery(issuer, c.client_id, {}, client.None()))
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'))
  const { checks, params } = await oidcParams()
  const result = await new UserAgent(issuer, ada).navigate(client.buildAuthorizationUrl(config, params))
  // The server asks for a nonce first (use_dpop_nonce); the library retries with it.
  const tokens = await must('authorizationCodeGrant', client.authorizationCodeGrant(config, callback(result), checks, undefined, { DPoP }))
  assert.equal(tokens.token_type, 'dpop')
  assert.ok(tokens.refresh_token)
  const info = await must('fetchUserInfo', client.fetchUserInfo(config, tokens.access_token, ada.id, { DPoP }))
  assert.equal(info.email, ada.email)
  const bearer = await refused('userinfo with the bound token as a bearer token', client.fetchUserInfo(config, tokens.access_token, ada.id))
  assert.equal(bearer.status ?? bearer.cause?.status, 401, explain(bearer))
  const refreshed = await must('refreshTokenGrant', client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP }))
  assert.equal(refreshed.token_type, 'dpop')
  const otherKey = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'))
  const stolen = await refused('refresh with another key', client.refreshTokenGrant(config, refreshed.refresh_token, undefined, { DPoP: otherKey }))
  assert.equal(stolen.error, 'invalid_grant', explain(stolen))
})

test('oauth4webapi: DPoP code exchange after the nonce retry, userinfo with a proof', async () => {
  const c = fx.clients.dpop
  const o4wClient = { client_id: c.client_id }
  const DPoP = oauth.DPoP(o4wClient, await oauth.generateKeyPair('ES256'))
  const { verifier, state, nonce, parameters } = await o4wParams()
  const url = new URL(as.authorization_endpoint)
  for (const [k, v] of Object.entries({ client_id: c.client_id, ...parameters })) url.searchParams.set(k, v)
  const params = responseParams(await new UserAgent(issuer, ada).navigate(url))
  const cb = await must('validateAuthResponse', Promise.resolve().then(() => oauth.validateAuthResponse(as, o4wClient, params, state)))
  const exchange = () => oauth.authorizationCodeGrantRequest(as, o4wClient, oauth.None(), cb, fx.redirect_uri, verifier, { DPoP })
  let tokens
  try {
    tokens = await oauth.processAuthorizationCodeResponse(as, o4wClient, await exchange(), { expectedNonce: nonce })
    assert.fail('the first exchange must be asked for a DPoP nonce')
  } catch (err) {
    assert.ok(oauth.isDPoPNonceError(err), explain(err))
    tokens = await must('processAuthorizationCodeResponse', oauth.processAuthorizationCodeResponse(as, o4wClient, await exchange(), { expectedNonce: nonce }))
  }
  assert.equal(tokens.token_type, 'dpop')
  const res = await oauth.userInfoRequest(as, o4wClient, tokens.access_token, { DPoP })
  const info = await must('processUserInfoResponse', oauth.processUserInfoResponse(as, o4wClient, ada.id, res))
  assert.equal(info.email, ada.email)
})
