// Just enough Content Security Policy (CSP Level 3) for the user agent to
// notice what a real browser would block on the OP's pages:
//   - form-action, which browsers enforce on a form's target AND on every
//     redirect that follows the submission (CSP3 §6.3.1 "form-action",
//     checked by the navigation algorithm for each request of the chain);
//   - script-src for the inline script that auto-submits a form_post page.
// Paths in host sources are ignored: CSP ignores them after a redirect, and
// the checks here are about which site a member can be sent to.
import { createHash } from 'node:crypto'

/** policiesOf parses every policy a response enforces (several are joined by commas). */
export function policiesOf(headers) {
  const raw = headers.get('content-security-policy')
  if (!raw) return []
  return raw.split(',').map((policy) => {
    const directives = new Map()
    for (const d of policy.split(';')) {
      const [name, ...sources] = d.trim().split(/\s+/)
      if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources)
    }
    return { text: policy.trim(), directives }
  })
}

/**
 * formActionViolation returns the policy text that forbids submitting a form
 * on page `page` (or following its redirects) to `target`, or undefined.
 */
export function formActionViolation(policies, page, target) {
  for (const p of policies) {
    const sources = p.directives.get('form-action')
    if (sources !== undefined && !matchesSourceList(sources, page, target)) return p.text
  }
  return undefined
}

/** inlineScriptViolation returns the policy text that forbids an inline script, or undefined. */
export function inlineScriptViolation(policies, script, nonce) {
  const hash = `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`
  for (const p of policies) {
    const sources = p.directives.get('script-src') ?? p.directives.get('default-src')
    if (sources === undefined) continue
    const hashesOrNonces = sources.some((s) => /^'(sha(256|384|512)|nonce)-/i.test(s))
    const ok = sources.includes(hash) ||
      (nonce !== undefined && sources.includes(`'nonce-${nonce}'`)) ||
      (!hashesOrNonces && sources.some((s) => s.toLowerCase() === "'unsafe-inline'"))
    if (!ok) return p.text
  }
  return undefined
}

function matchesSourceList(sources, page, target) {
  return sources.some((s) => matchesSource(s.toLowerCase(), page, target))
}

function matchesSource(source, page, target) {
  const scheme = target.protocol // "https:"
  if (source === "'none'") return false
  if (source === '*') return scheme === 'https:' || scheme === 'http:' || scheme === page.protocol
  if (source === "'self'") {
    return target.origin === page.origin ||
      (page.protocol === 'http:' && scheme === 'https:' && target.host === page.host)
  }
  if (/^[a-z][a-z0-9+.-]*:$/.test(source)) return source === scheme || (source === 'http:' && scheme === 'https:')
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|(?:\*\.)?[^/:]+)(?::(\*|\d+))?(?:\/.*)?$/.exec(source)
  if (!m) return false
  const [, srcScheme, host, port] = m
  if (srcScheme && !(srcScheme + ':' === scheme || (srcScheme === 'http' && scheme === 'https:'))) return false
  if (!srcScheme && !(scheme === page.protocol || (page.protocol === 'http:' && scheme === 'https:'))) return false
  const targetHost = target.hostname.toLowerCase()
  if (host.startsWith('*.') ? !targetHost.endsWith(host.slice(1)) : host !== '*' && host !== targetHost) return false
  const targetPort = target.port || (scheme === 'https:' ? '443' : '80')
  const srcPort = port ?? (srcScheme === 'http' ? '80' : srcScheme === 'https' || !srcScheme ? defaultPort(scheme) : undefined)
  return port === '*' || srcPort === targetPort || (srcPort === '80' && targetPort === '443' && scheme === 'https:')
}

function defaultPort(scheme) {
  return scheme === 'https:' ? '443' : '80'
}
