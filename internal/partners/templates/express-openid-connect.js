// Sign-in through Guildgate for an Express app: express-openid-connect 3
// (npm install express express-openid-connect). Run it with node app.js.
{{- with .CAFile}}
// Only when Guildgate's certificate is not from a public CA, trust the CA's
// certificate: NODE_EXTRA_CA_CERTS={{.}} node app.js
{{- end}}
const express = require("express");
const { auth, requiresAuth } = require("express-openid-connect");

const app = express();
app.use(
  auth({
    issuerBaseURL: "{{.Issuer}}",
    baseURL: "{{origin .RedirectURI}}",
    clientID: "{{.ClientID}}",
    clientSecret: "{{.ClientSecret}}",
    secret: "{{.Passphrase}}",
    authRequired: false,
    idpLogout: true,
    authorizationParams: { response_type: "code", response_mode: "query", scope: "openid email profile groups" },
    routes: { callback: "{{path .RedirectURI}}", postLogoutRedirect: "{{path .PostLogoutRedirectURI}}" },
  }),
);

// A page for signed-in members: req.oidc.user holds Guildgate's claims.
app.get("/reports", requiresAuth(), (req, res) => {
  const { sub, email, name, groups, member_status } = req.oidc.user;
  res.json({ path: req.path, sub, email, name, groups, member_status });
});

// Where members land after signing out (the app's "Sign out" link is /logout).
app.get("{{path .PostLogoutRedirectURI}}", (req, res) => res.send("You are signed out."));

// What a member sees when Guildgate refuses them (error=access_denied: not
// in the client's permitted groups), or when signing in fails otherwise.
app.use((err, req, res, next) => {
  if (err.error === "access_denied") {
    res.status(403).send("Access denied: your membership does not include this app.");
  } else {
    res.status(err.status || 500).send("Signing in failed; please try again.");
  }
});

app.listen({{listenPort .Listen}}, "{{listenHost .Listen}}");
