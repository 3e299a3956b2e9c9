// An organisation's identity provider for Guildgate's federation tests:
// oidc-provider (a certified OpenID Provider) on loopback HTTPS, with one
// confidential client registered for Guildgate's callback, and an
// interaction that signs in the account named by login_hint (or the first
// account) without a form, so a Go test can drive the whole round trip.
// internal/federation's TestOIDCProviderUpstream starts it.
//
// Environment (all required):
//   UPSTREAM_CERT, UPSTREAM_KEY  PEM files of the TLS certificate to serve
//   UPSTREAM_CLIENT              JSON: {client_id, client_secret, redirect_uris, post_logout_redirect_uris}
//   UPSTREAM_ACCOUNTS            JSON: {"<sub>": {email, name, given_name, family_name, groups}, …}
// Prints one line, READY <issuer>, once it listens.
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
const client = JSON.parse(env('UPSTREAM_CLIENT'));
const accounts = JSON.parse(env('UPSTREAM_ACCOUNTS'));
const server = https.createServer({ cert: readFileSync(env('UPSTREAM_CERT')), key: readFileSync(env('UPSTREAM_KEY')) });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `https://127.0.0.1:${server.address().port}`;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'upstream-1', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    ...client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['upstream-op-test-cookie-key'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    groups: ['groups'],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const a = accounts[sub];
    if (!a) return undefined;
    return { accountId: sub, claims: async () => ({ sub, email_verified: true, ...a }) };
  },
});

serveWithInteractions(provider, server, (params) => {
  const hint = String(params.login_hint || '').toLowerCase();
  return Object.keys(accounts).find((s) => accounts[s].email === hint) || Object.keys(accounts)[0];
});
process.stdout.write(`READY ${issuer}\n`);
