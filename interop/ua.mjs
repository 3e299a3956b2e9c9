// A minimal browser ("user agent") for the flows: it follows the OP's
// redirects with a cookie jar, signs in through the real /login forms, and
// stops as soon as the OP hands the member back to another site. It never
// fetches a relying party's URL (https://rp.example does not exist); it
// returns what a browser would have delivered there instead.
//
// Cookies follow browsers' SameSite rules, because they decide whether SSO
// works at all: a navigation that starts on the RP is cross-site, so a
// Strict cookie is not sent on it (nor on its redirects), and a Lax cookie
// only on GET. Forms submitted from the OP's own pages are same-origin.
//
// It does not enforce Content Security Policy, but it records what a real
// browser would block (csp.mjs): a form-action that forbids where a form
// submission or its redirects lead, or a form_post page whose own policy
// forbids its auto-submit script or its target. Each result carries them in
// `violations`; browser.test.mjs asserts there are none.
import { formActionViolation, inlineScriptViolation, policiesOf } from './csp.mjs'

const MAX_HOPS = 25

export class UserAgent {
  /** @type {Map<string, {name: string, value: string, path: string, sameSite: string, expires: number}>} */
  #jar = new Map()

  /**
   * @param {URL|string} opOrigin the OP's origin; any other origin is the RP's
   * @param {{email: string, password: string}} [member] signs in when the OP asks
   */
  constructor(opOrigin, member) {
    this.opOrigin = new URL(opOrigin).origin
    this.member = member
    this.signIns = 0 // password forms answered, so a test can tell whether the OP asked again
  }

  /**
   * navigate starts a top-level navigation from the RP (cross-site) and
   * follows it through the OP. It resolves to one of:
   *   { type: 'redirect', url }              a redirect to another origin (query or fragment response)
   *   { type: 'form_post', url, params }     an auto-submitting form to another origin (form_post)
   *   { type: 'page', url, status, body, alert }  an OP page the agent stopped on
   * each with `violations`: what a browser enforcing CSP would have blocked.
   * Options: signIn (default true when a member is set) answers the login
   * forms; confirmLogout submits the OP's "Sign out?" confirmation form;
   * post (URLSearchParams) makes the first request a form POST from the RP;
   * device ('approve' or 'deny') submits the device flow's code, as filled
   * in from verification_uri_complete, and answers its confirmation.
   */
  async navigate(url, { signIn = this.member !== undefined, confirmLogout = false, post, device } = {}) {
    let req = { method: post ? 'POST' : 'GET', url: new URL(url), body: post, crossSite: true, submittedFrom: undefined }
    const answered = new Set()
    const violations = []
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      checkFormAction(req, violations)
      if (req.url.origin !== this.opOrigin) {
        return { type: 'redirect', url: req.url, violations }
      }
      const res = await this.#fetch(req)
      const location = res.headers.get('location')
      if (res.status >= 300 && res.status < 400 && location !== null) {
        const keep = res.status === 307 || res.status === 308
        req = { method: keep ? req.method : 'GET', url: new URL(location, req.url), body: keep ? req.body : undefined,
          crossSite: req.crossSite, submittedFrom: req.submittedFrom }
        continue
      }
      const body = await res.text()
      const page = { type: 'page', url: req.url, status: res.status, body, alert: alertOf(body), violations }
      const form = firstForm(body, req.url)
      if (form === undefined) return page
      const from = { url: req.url, policies: policiesOf(res.headers) }
      if (form.method === 'POST' && form.action.origin !== this.opOrigin) {
        checkFormPostPage(from, form, inlineScripts(body), violations)
        return { type: 'form_post', url: form.action, params: form.fields, violations }
      }
      const step = this.#answer(form, { signIn, confirmLogout, device })
      if (step === undefined || answered.has(step)) return page // the same form twice: it refused our answer
      answered.add(step)
      req = { method: form.method, url: form.action, body: form.fields, crossSite: false, submittedFrom: from }
    }
    throw new Error(`user agent: more than ${MAX_HOPS} hops, last at ${req.url}`)
  }

  /** hasCookie reports whether the jar holds a live cookie of that name. */
  hasCookie(name) {
    return [...this.#jar.values()].some((c) => c.name === name && c.expires > Date.now())
  }

  /** #answer fills the form the OP shows and names the step, or returns undefined. */
  #answer(form, { signIn, confirmLogout, device }) {
    const f = form.fields
    if (form.method === 'POST' && form.inputs.has('password')) {
      if (!signIn) return undefined
      f.set('email', f.get('email') || this.member.email)
      f.set('password', this.member.password)
      this.signIns++
      return 'password'
    }
    if (form.method === 'POST' && form.inputs.has('email')) {
      if (!signIn) return undefined
      f.set('email', this.member.email)
      return 'email'
    }
    if (form.method === 'POST' && confirmLogout && form.action.pathname === '/log-out') {
      return 'logout'
    }
    if (form.method === 'POST' && device && form.inputs.has('user_code')) {
      return 'device code'
    }
    if (form.method === 'POST' && device && form.action.pathname === '/device/confirm') {
      f.set('decision', device)
      return 'device answer'
    }
    return undefined
  }

  async #fetch(req) {
    const headers = {
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'guildgate-interop-ua/1',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      'sec-fetch-site': req.crossSite ? 'cross-site' : 'same-origin',
    }
    const cookie = this.#cookieHeader(req)
    if (cookie) headers.cookie = cookie
    let body
    if (req.method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      headers.origin = req.crossSite ? 'https://rp.example' : this.opOrigin
      body = req.body.toString()
    }
    const res = await fetch(req.url, { method: req.method, headers, body, redirect: 'manual' })
    for (const line of res.headers.getSetCookie()) this.#store(line)
    return res
  }

  #cookieHeader(req) {
    const now = Date.now()
    const out = []
    for (const c of this.#jar.values()) {
      if (c.expires <= now || !pathMatches(c.path, req.url.pathname)) continue
      if (req.crossSite && (c.sameSite === 'strict' || (c.sameSite === 'lax' && req.method !== 'GET'))) continue
      out.push(`${c.name}=${c.value}`)
    }
    return out.join('; ')
  }

  #store(line) {
    const [pair, ...attrs] = line.split(';')
    const eq = pair.indexOf('=')
    if (eq < 1) return
    const c = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: '/', sameSite: 'lax',
      expires: Infinity }
    for (const a of attrs) {
      const [k, v = ''] = a.split('=').map((s) => s.trim())
      switch (k.toLowerCase()) {
        case 'path': c.path = v || '/'; break
        case 'samesite': c.sameSite = v.toLowerCase(); break
        case 'max-age': c.expires = Number(v) <= 0 ? 0 : Date.now() + Number(v) * 1000; break
        case 'expires': if (c.expires === Infinity) c.expires = Date.parse(v); break
      }
    }
    this.#jar.set(`${c.name};${c.path}`, c)
  }
}

/**
 * callback turns what navigate returned into what a relying party receives:
 * the redirect URL (query or fragment), or a POST Request for form_post.
 */
export function callback(result) {
  switch (result.type) {
    case 'redirect':
      return result.url
    case 'form_post':
      return new Request(result.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: result.params.toString(),
      })
    default:
      throw new Error(`the OP did not send the browser back to the RP: it stopped on ${result.url} ` +
        `(HTTP ${result.status})${result.alert ? `: ${result.alert}` : ''}\n${snippet(result.body)}`)
  }
}

/** responseParams returns the authorization response's parameters wherever they were carried. */
export function responseParams(result) {
  if (result.type === 'form_post') return new URLSearchParams(result.params)
  if (result.type !== 'redirect') callback(result) // throws with the page
  const u = result.url
  return new URLSearchParams(u.hash ? u.hash.slice(1) : u.search)
}

/** checkFormAction records a request a form submission leads to that the form page's form-action forbids. */
function checkFormAction(req, violations) {
  const from = req.submittedFrom
  const policy = from && formActionViolation(from.policies, from.url, req.url)
  if (policy) {
    violations.push(`form-action: the form on ${from.url.pathname} leads (through redirects) to ${req.url.origin}` +
      `${req.url.pathname}, which its policy "${policy}" forbids; a browser stops on ${from.url.pathname}`)
  }
}

/** checkFormPostPage records what would stop a form_post page from posting itself. */
function checkFormPostPage(from, form, scripts, violations) {
  const fa = formActionViolation(from.policies, from.url, form.action)
  if (fa) violations.push(`form-action: the form_post page's policy "${fa}" forbids posting to ${form.action.origin}`)
  if (scripts.length === 0) violations.push('form_post page has no script to submit itself')
  for (const { text, nonce } of scripts) {
    const sp = inlineScriptViolation(from.policies, text, nonce)
    if (sp) violations.push(`script-src: the form_post page's policy "${sp}" forbids its inline auto-submit script`)
  }
}

function pathMatches(cookiePath, path) {
  return path === cookiePath || path.startsWith(cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`)
}

// --- just enough HTML for the OP's own pages and the form_post response ---

function firstForm(html, base) {
  const m = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html)
  if (!m) return undefined
  const attrs = attributes(m[1])
  const fields = new URLSearchParams()
  const inputs = new Set()
  for (const im of m[2].matchAll(/<input\b([^>]*)>/gi)) {
    const a = attributes(im[1])
    if (!a.name) continue
    inputs.add(a.name)
    if ((a.type ?? 'text').toLowerCase() !== 'submit') fields.append(a.name, a.value ?? '')
  }
  return {
    method: (attrs.method ?? 'GET').toUpperCase(),
    action: new URL(attrs.action ?? '', base),
    fields,
    inputs,
  }
}

function inlineScripts(html) {
  const out = []
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const a = attributes(m[1])
    if (a.src === undefined) out.push({ text: m[2], nonce: a.nonce })
  }
  return out
}

function attributes(s) {
  const out = {}
  for (const m of s.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '')
  }
  return out
}

const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
    return NAMED[e.toLowerCase()] ?? all
  })
}

function alertOf(html) {
  const m = /<[^>]+role="alert"[^>]*>([\s\S]*?)<\//i.exec(html)
  return m ? decodeEntities(m[1].trim()) : undefined
}

function snippet(html) {
  const text = html.replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()
  return decodeEntities(text).slice(0, 400)
}
