// What a real browser enforces on the way between the RP and the OP, beyond
// the protocol: Content Security Policy on the OP's pages (recorded by the
// user agent, see csp.mjs). A policy that blocks the last hop leaves the
// member stranded on the OP although every protocol message was right; the
// sign-in and logout cases were confirmed in headless Chromium, which stops
// on the form's page and reports a "form-action" violation.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fx, issuer } from './fixture.mjs'
import { UserAgent, callback } from './ua.mjs'

const ada = fx.members.ada
const rs256 = fx.clients.rs256

function authorizationURL(params = {}) {
  const url = new URL('/oauth/authorize', issuer)
  const p = { client_id: rs256.client_id, redirect_uri: fx.redirect_uri, response_type: 'code', scope: 'openid',
    state: 'browser-state', nonce: 'browser-nonce', ...params }
  for (const [k, v] of Object.entries(p)) url.searchParams.set(k, v)
  return url
}

function assertNoViolations(result) {
  assert.deepEqual(result.violations, [], `a browser enforcing CSP would not get there:\n  ${result.violations.join('\n  ')}`)
}

test('sign-in: the login form\'s redirects back to the RP pass the login page\'s CSP form-action', async () => {
  const result = await new UserAgent(issuer, ada).navigate(authorizationURL())
  assert.equal(callback(result).origin, new URL(fx.redirect_uri).origin)
  assertNoViolations(result)
})

test('logout: the confirmation form\'s redirect to post_logout_redirect_uri passes its CSP form-action', async () => {
  const ua = new UserAgent(issuer, ada)
  callback(await ua.navigate(authorizationURL()))
  const url = new URL('/log-out', issuer)
  url.searchParams.set('client_id', rs256.client_id)
  url.searchParams.set('post_logout_redirect_uri', fx.post_logout_redirect_uri)
  url.searchParams.set('state', 'logout-state')
  const result = await ua.navigate(url, { signIn: false, confirmLogout: true })
  assert.equal(callback(result).searchParams.get('state'), 'logout-state')
  assertNoViolations(result)
})

test('form_post: the page\'s CSP lets its script submit it to the redirect URI', async () => {
  const ua = new UserAgent(issuer, ada)
  callback(await ua.navigate(authorizationURL())) // signed in: the next response is the form_post page itself
  const result = await ua.navigate(authorizationURL({ response_mode: 'form_post' }))
  assert.equal(result.type, 'form_post')
  assertNoViolations(result)
})
