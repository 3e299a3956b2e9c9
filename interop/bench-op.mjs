// oidc-provider (npm, a certified OpenID Provider) configured like Guildgate
// for the side-by-side load benchmark (`guildgate bench`, docs/benchmarks.md):
// HTTPS on loopback, RS256 ID tokens, one confidential client allowed
// authorization_code (PKCE S256), refresh_token (rotated on every use) and
// client_credentials (RFC 9068 JWT access tokens signed ES256, as Guildgate
// issues them: issue 11 compares the two so), optionally a second one like
// it with ES256 ID tokens (the *_es256 workloads), and an interaction that
// signs in the one account and grants what was asked, without a form (the
// benchmark's "member session"). internal/bench's TestBenchSideBySide
// starts it.
//
// Environment (all required):
//   BENCH_CERT, BENCH_KEY      PEM files of the TLS certificate to serve
//                              (it must name localhost: the issuer is https://localhost:<port>)
//   BENCH_CLIENT_ID            the client's id
//   BENCH_CLIENT_SECRET        the client's secret
//   BENCH_REDIRECT_URI         the client's redirect URI
// Optional: BENCH_PORT (default: any free port); BENCH_ES256_CLIENT_ID and
// BENCH_ES256_CLIENT_SECRET, the second client (same redirect URI and
// grants, ES256 ID tokens). Listens on 127.0.0.1 only.
// Prints one line, READY <issuer> <pid>, once it listens.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK } from 'jose';
import { serveWithInteractions } from './op-interactions.mjs';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const server = https.createServer({ cert: readFileSync(env('BENCH_CERT')), key: readFileSync(env('BENCH_KEY')) });
server.keepAliveTimeout = 60_000;
await new Promise((resolve) => server.listen(Number(process.env.BENCH_PORT || 0), '127.0.0.1', resolve));
const issuer = `https://localhost:${server.address().port}`;

const signingKey = async (alg, kid) => {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
};
const keys = [await signingKey('RS256', 'bench-rs256'), await signingKey('ES256', 'bench-es256')];
const benchAPI = 'https://api.bench.example';
const account = { sub: 'bench-member', email: 'bench@example.org', email_verified: true, name: 'Bench Member' };

// MapAdapter keeps every model in memory without a size bound until it
// expires. oidc-provider's default development adapter is an LRU of 1,000
// entries: a few seconds of client_credentials evict the member's session,
// grant and tokens, which no real deployment would do.
class MapAdapter {
  static stores = new Map();
  static grants = new Map(); // grantId -> Set of "<model>:<id>"
  constructor(name) {
    this.name = name;
    if (!MapAdapter.stores.has(name)) MapAdapter.stores.set(name, new Map());
    this.store = MapAdapter.stores.get(name);
  }
  async upsert(id, payload, expiresIn) {
    this.store.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (payload.grantId) {
      if (!MapAdapter.grants.has(payload.grantId)) MapAdapter.grants.set(payload.grantId, new Set());
      MapAdapter.grants.get(payload.grantId).add(`${this.name}:${id}`);
    }
  }
  async find(id) {
    const e = this.store.get(id);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return e.payload;
  }
  async findByUid(uid) {
    for (const [id, e] of this.store) if (e.payload.uid === uid) return this.find(id);
    return undefined;
  }
  async findByUserCode(userCode) {
    for (const [id, e] of this.store) if (e.payload.userCode === userCode) return this.find(id);
    return undefined;
  }
  async consume(id) {
    const e = this.store.get(id);
    if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) { this.store.delete(id); }
  async revokeByGrantId(grantId) {
    for (const key of MapAdapter.grants.get(grantId) || []) {
      const i = key.indexOf(':');
      MapAdapter.stores.get(key.slice(0, i))?.delete(key.slice(i + 1));
    }
    MapAdapter.grants.delete(grantId);
  }
}

const client = (id, secret, alg) => ({
  client_id: id,
  client_secret: secret,
  redirect_uris: [env('BENCH_REDIRECT_URI')],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: alg,
});
const clients = [client(env('BENCH_CLIENT_ID'), env('BENCH_CLIENT_SECRET'), 'RS256')];
if (process.env.BENCH_ES256_CLIENT_ID) {
  clients.push(client(process.env.BENCH_ES256_CLIENT_ID, env('BENCH_ES256_CLIENT_SECRET'), 'ES256'));
}

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients,
  jwks: { keys },
  cookies: { keys: ['bench-op-cookie-key'] },
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    userinfo: { enabled: true },
    // oidc-provider's access tokens are opaque (a random id, looked up in
    // its store) unless issued for a resource server configured to take
    // JWTs. client_credentials tokens go to one such, by default, so that
    // both sides sign one ES256 JWT a request; sign-in tokens stay opaque,
    // for its userinfo endpoint, which accepts no others.
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx) => (ctx.oidc.params?.grant_type === 'client_credentials' ? benchAPI : undefined),
      getResourceServerInfo: async () => ({
        scope: 'bench', audience: benchAPI, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  // Like Guildgate: a refresh token for a client allowed the grant, a new one on every use.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  // Tokens outlive the browser session (the benchmark signs in once, then
  // runs many code flows in it), as Guildgate's do.
  expiresWithSession: () => false,
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    if (sub !== account.sub) return undefined;
    return { accountId: sub, claims: async () => ({ ...account }) };
  },
});

serveWithInteractions(provider, server, () => account.sub);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
process.stdout.write(`READY ${issuer} ${process.pid}\n`);
