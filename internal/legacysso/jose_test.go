package legacysso_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// envInterop makes missing Node or npm packages a failure rather than a
// skip, as for the interop suite (interop/interop_test.go); CI sets CI.
const envInterop = "GUILDGATE_TEST_INTEROP"

// interopDir holds the npm packages the interop suite installs
// (`npm ci --prefix interop`); jose is resolved from there.
var interopDir = filepath.Join("..", "..", "interop")

// verifyJose is run by Node: the npm package jose, which no one here wrote,
// must accept the token with the client secret (HS256 only, checking iss,
// aud, typ, exp and nbf) and reject it with any other secret.
const verifyJose = `
import { jwtVerify, errors } from 'jose';
const { TOKEN, SECRET, OTHER_SECRET, ISS, AUD } = process.env;
const key = (s) => new TextEncoder().encode(s);
const { payload } = await jwtVerify(TOKEN, key(SECRET), { algorithms: ['HS256'], issuer: ISS, audience: AUD, typ: 'guildgate-sso+jwt' });
if (typeof payload.jti !== 'string' || payload.exp - payload.iat !== 300) throw new Error('bad claims ' + JSON.stringify(payload));
try {
  await jwtVerify(TOKEN, key(OTHER_SECRET), { algorithms: ['HS256'] });
  throw new Error('verified with another secret');
} catch (e) {
  if (!(e instanceof errors.JWSSignatureVerificationFailed)) throw e;
}
`

// verifyWithNodeJose checks tok with jose from interop/node_modules, in a
// subtest of its own so that a skip (no Node here) skips only this check.
func verifyWithNodeJose(t *testing.T, tok, secret, otherSecret, iss, aud string) {
	t.Helper()
	t.Run("npm jose", func(t *testing.T) { nodeJose(t, requireNodeJose(t), tok, secret, otherSecret, iss, aud) })
}

func nodeJose(t *testing.T, node, tok, secret, otherSecret, iss, aud string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--input-type=module", "-e", verifyJose)
	cmd.Dir = interopDir // a bare "jose" resolves from here
	cmd.Env = append(os.Environ(), "TOKEN="+tok, "SECRET="+secret, "OTHER_SECRET="+otherSecret, "ISS="+iss, "AUD="+aud)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("npm jose did not verify the token as expected (%v):\n%s", err, out)
	}
}

// requireNodeJose returns the node binary, or skips (fails under CI or
// GUILDGATE_TEST_INTEROP) when Node or jose is missing.
func requireNodeJose(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	problem := ""
	switch {
	case err != nil:
		problem = "node is not on PATH"
	default:
		if _, err := os.Stat(filepath.Join(interopDir, "node_modules", "jose", "package.json")); err != nil {
			problem = "interop/node_modules/jose is missing: run `npm ci --prefix interop`"
		}
	}
	if problem == "" {
		return node
	}
	if os.Getenv("CI") != "" || os.Getenv(envInterop) != "" {
		t.Fatalf("cannot verify the token with npm jose: %s", problem)
	}
	t.Skipf("npm jose verification skipped: %s; set %s=1 to make this a failure", problem, envInterop)
	return ""
}
