// Shared by the scripts that run oidc-provider as a test peer (the upstream
// identity provider of the federation tests, the benchmark's comparison
// OP): its interaction pages are replaced by a handler that signs an
// account in without a form and grants what the client asked for, so a
// browser or the benchmark walks through on redirects alone.

// serveWithInteractions routes /interaction/* to that handler and every
// other request to the provider. accountFor(params) names the account that
// signs in for an authorization request.
export function serveWithInteractions(provider, server, accountFor) {
  const op = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
      interaction(provider, req, res, accountFor).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    op(req, res);
  });
}

async function interaction(provider, req, res, accountFor) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: accountFor(params) } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
