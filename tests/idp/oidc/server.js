// A real OpenID Connect provider (panva/oidc-provider) for Värna's sign-in tests.
// Started by tests/auth/federation/oidc_provider.py on a free port; everything it needs
// comes from the environment, so each test session configures its own:
//   OIDC_TEST_PORT           the port to listen on (127.0.0.1)
//   OIDC_TEST_ISSUER         the issuer, e.g. http://127.0.0.1:PORT
//   OIDC_TEST_CLIENT         JSON: {client_id, client_secret, redirect_uris, post_logout_redirect_uris}
//   OIDC_TEST_ACCOUNTS       JSON: {"<login>": {email, name, groups}} (any password works:
//                            the provider's own development login form)
//   OIDC_TEST_CLOCK_SHIFT_MS the test process's clock minus the real one (VARNA_TEST_CLOCK),
//                            so the tokens' iat/exp agree with the moved clock
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const shift = Number(process.env.OIDC_TEST_CLOCK_SHIFT_MS || 0);
if (shift) {
  const realNow = Date.now;
  Date.now = () => realNow() + shift;
}

const port = Number(process.env.OIDC_TEST_PORT);
const issuer = process.env.OIDC_TEST_ISSUER;
const client = JSON.parse(process.env.OIDC_TEST_CLIENT);
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS || '{}');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-' + randomBytes(4).toString('hex'), use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    ...client,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true, methods: ['S256'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // The scopes' claims in the ID token too (as Entra ID does with optional claims).
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: account.email, email_verified: true, name: account.name, groups: account.groups || [] };
      },
    };
  },
  features: {
    devInteractions: { enabled: true }, // the provider's own login and consent pages
    rpInitiatedLogout: { enabled: true },
  },
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(16).toString('hex')] },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
