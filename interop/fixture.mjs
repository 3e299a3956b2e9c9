// The fixture interop_test.go registered (issuer, members, clients) and the
// error reporting every test shares. Run the suite with `go test ./interop/`;
// this file refuses to start without the fixture.
import { inspect } from 'node:util'

const raw = process.env.INTEROP_FIXTURE
if (!raw) {
  throw new Error('INTEROP_FIXTURE is not set: run the suite with `go test ./interop/ -v`')
}

/**
 * @type {{
 *   issuer: string, redirect_uri: string, post_logout_redirect_uri: string,
 *   members: Record<string, {id: string, email: string, password: string, name: string, given_name: string,
 *     family_name: string, legacy_id: string, status: string, groups: string[]}>,
 *   clients: Record<string, {client_id: string, client_secret: string, id_token_alg: string, public: boolean,
 *     grant_types: string[]}>,
 * }}
 */
export const fx = JSON.parse(raw)
export const issuer = new URL(fx.issuer)

/** All scopes Guildgate supports; the full claim set is released with them. */
export const ALL_SCOPES = 'openid profile email groups offline_access'

/**
 * explain renders a library error with its whole cause chain, the OAuth error
 * fields and the values the library compared, so a failure report names the
 * exact check that refused the server's response.
 */
export function explain(err) {
  const parts = []
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; e = e.cause, depth++) {
    if (!(e instanceof Error)) {
      parts.push(`cause: ${summarize(e)}`)
      break
    }
    let line = `${e.name}: ${e.message}`
    if (e.code) line += ` [${e.code}]`
    if (e.error) line += ` error=${e.error}`
    if (e.error_description) line += ` error_description=${JSON.stringify(e.error_description)}`
    if (e.status) line += ` status=${e.status}`
    parts.push(line)
  }
  return parts.join('\n  <- ')
}

function summarize(v) {
  if (v instanceof URLSearchParams) return v.toString()
  if (v instanceof Response) return `HTTP ${v.status} ${v.headers.get('content-type')}`
  return inspect(v, { depth: 4, breakLength: Infinity, maxStringLength: 300 })
}

/**
 * must awaits a library call and fails with the library's full explanation
 * (and the HTTP body, when the library refused a response for its status).
 * The stack is dropped: the library's message is the finding, its frames noise.
 */
export async function must(what, promise) {
  try {
    return await promise
  } catch (err) {
    const e = new Error(`${what} refused by the library:\n  ${explain(err)}${await bodyOf(err)}`)
    e.stack = e.message
    throw e
  }
}

async function bodyOf(err) {
  for (let e = err, depth = 0; e && depth < 5; e = e.cause, depth++) {
    const res = e instanceof Response ? e : e.response
    if (res instanceof Response && !res.bodyUsed) {
      const text = await res.clone().text().catch(() => '')
      return `\n  HTTP ${res.status} body: ${text.slice(0, 500)}`
    }
  }
  return ''
}

/** refused awaits a call that must fail and returns its error. */
export async function refused(what, promise) {
  let result
  try {
    result = await promise
  } catch (err) {
    return err
  }
  throw new Error(`${what} succeeded but must be refused; got ${inspect(result, { depth: 2 })}`)
}

/** decodeJwt returns a compact JWS's header and payload without verifying it. */
export function decodeJwt(jwt) {
  const [h, p] = jwt.split('.')
  const json = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'))
  return { header: json(h), payload: json(p) }
}
