// The device authorization grant (RFC 8628) through both libraries: the
// device asks for its codes, the member opens verification_uri_complete,
// signs in and approves (or denies) on /device, and the library polls the
// token endpoint as it was written to. openid-client polls by itself
// (pollDeviceAuthorizationGrant), with DPoP; oauth4webapi's polls are made
// one by one here, so its reading of authorization_pending and slow_down
// is checked too.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import * as client from 'openid-client'
import * as oauth from 'oauth4webapi'
import { explain, fx, issuer, must, refused } from './fixture.mjs'
import { UserAgent } from './ua.mjs'

const ada = fx.members.ada
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/
let as // oauth4webapi's discovered metadata

before(async () => {
  const res = await must('discoveryRequest', oauth.discoveryRequest(issuer))
  as = await must('processDiscoveryResponse', oauth.processDiscoveryResponse(issuer, res))
})

/** answer plays the member on their phone: opens the link, signs in, answers. */
async function answer(deviceResponse, decision) {
  const result = await new UserAgent(issuer, ada).navigate(deviceResponse.verification_uri_complete, { device: decision })
  assert.equal(result.type, 'page')
  assert.equal(result.status, 200, `the member's answer ended on ${result.url} (${result.status}): ${result.alert ?? ''}`)
  assert.match(result.body, decision === 'approve' ? /Device connected/ : /Request denied/)
}

test('discovery lists the device authorization endpoint and grant', () => {
  assert.equal(as.device_authorization_endpoint, fx.issuer + '/oauth/device_authorization')
  assert.ok(as.grant_types_supported.includes(DEVICE_GRANT))
})

test('openid-client: initiateDeviceAuthorization, the member approves, pollDeviceAuthorizationGrant with DPoP', async () => {
  const c = fx.clients.device
  const config = await must('discovery as device', client.discovery(issuer, c.client_id, {}, client.None()))
  const started = await must('initiateDeviceAuthorization',
    client.initiateDeviceAuthorization(config, { scope: 'openid email offline_access' }))
  assert.match(started.user_code, USER_CODE)
  assert.equal(started.verification_uri, fx.issuer + '/device')
  assert.equal(started.interval, 5)
  await answer(started, 'approve')
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'))
  // The first poll is asked for a DPoP nonce; the library retries with it.
  const tokens = await must('pollDeviceAuthorizationGrant', client.pollDeviceAuthorizationGrant(config, started, undefined, { DPoP }))
  assert.equal(tokens.token_type, 'dpop')
  assert.equal(tokens.claims().sub, ada.id)
  assert.equal(tokens.claims().email, ada.email)
  assert.ok(tokens.refresh_token)
  const info = await must('fetchUserInfo', client.fetchUserInfo(config, tokens.access_token, ada.id, { DPoP }))
  assert.equal(info.email, ada.email)
  const refreshed = await must('refreshTokenGrant', client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP }))
  assert.equal(refreshed.token_type, 'dpop')
})

test('openid-client: a denied request ends the polling with access_denied', async () => {
  const c = fx.clients.device
  const config = await must('discovery as device', client.discovery(issuer, c.client_id, {}, client.None()))
  const started = await must('initiateDeviceAuthorization', client.initiateDeviceAuthorization(config, { scope: 'openid' }))
  await answer(started, 'deny')
  const err = await refused('a denied device', client.pollDeviceAuthorizationGrant(config, started))
  assert.equal(err.error, 'access_denied', explain(err))
})

test('oauth4webapi: pending, slow_down when polled too soon, then the tokens once, for a client with a secret', async () => {
  const c = fx.clients.devicesecret
  const o4wClient = { client_id: c.client_id }
  const auth = oauth.ClientSecretBasic(c.client_secret)
  const res = await oauth.deviceAuthorizationRequest(as, o4wClient, auth, { scope: 'openid profile' })
  const started = await must('processDeviceAuthorizationResponse', oauth.processDeviceAuthorizationResponse(as, o4wClient, res))
  assert.match(started.user_code, USER_CODE)
  assert.equal(started.expires_in, 600)
  const poll = async () => oauth.processDeviceCodeResponse(as, o4wClient,
    await oauth.deviceCodeGrantRequest(as, o4wClient, auth, started.device_code))

  let err = await refused('a poll before the answer', poll())
  assert.equal(err.error, 'authorization_pending', explain(err))
  err = await refused('a poll at once', poll())
  assert.equal(err.error, 'slow_down', explain(err))

  await answer(started, 'approve')
  await sleep((started.interval + 5) * 1000) // RFC 8628 §3.5: slow_down adds 5 seconds
  const tokens = await must('processDeviceCodeResponse', poll())
  assert.equal(tokens.token_type, 'bearer')
  assert.equal(oauth.getValidatedIdTokenClaims(tokens).sub, ada.id)
  assert.equal(tokens.refresh_token, undefined) // the client may not refresh

  await sleep((started.interval + 5) * 1000)
  err = await refused('a second redemption', poll())
  assert.equal(err.error, 'invalid_grant', explain(err))
})

test('oauth4webapi: a client not allowed the grant is refused at the device endpoint', async () => {
  const c = fx.clients.rs256
  const o4wClient = { client_id: c.client_id }
  const res = await oauth.deviceAuthorizationRequest(as, o4wClient, oauth.ClientSecretBasic(c.client_secret), { scope: 'openid' })
  const err = await refused('device authorization', oauth.processDeviceAuthorizationResponse(as, o4wClient, res))
  assert.equal(err.error, 'unauthorized_client', explain(err))
})
