// Sign-in: the OpenID Connect authorization code flow with PKCE (RFC 7636, S256) run in the browser against the
// identity provider named by GET /portal/config. Only the PKCE verifier and state live in sessionStorage, for the
// round trip through the provider; the tokens stay in memory and are gone when the tab closes or reloads.

export interface SignInConfig {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  scope: string;
  audience: string | null;
}

export interface PortalConfig {
  signIn: SignInConfig | null;
}

export interface Session {
  accessToken: string;
  expiresAt: number;
  subject: string;
  email: string | null;
}

const PENDING = 'relaygate.portal.pkce';

interface Pending {
  verifier: string;
  state: string;
  route: string;
}

export async function loadConfig(): Promise<PortalConfig> {
  const response = await fetch('config', { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`The portal configuration could not be read (HTTP ${response.status})`);
  return response.json();
}

function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** Sends the browser to the identity provider; it comes back to this page with ?code&state. */
export async function beginSignIn(config: SignInConfig): Promise<void> {
  const pending: Pending = { verifier: randomString(), state: randomString(), route: location.hash };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(config.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await codeChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (config.audience) url.searchParams.set('audience', config.audience);
  location.assign(url.toString());
}

/**
 * Completes a sign-in when this page is the provider's redirect: checks the state, takes the code out of the
 * address bar at once and trades it, with the verifier, for tokens. Null when this page load is not a callback.
 */
export async function completeSignIn(config: SignInConfig): Promise<Session | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return null;
  const stored = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const pending: Pending | null = stored ? JSON.parse(stored) : null;
  history.replaceState(null, '', `${location.pathname}${pending?.route ?? ''}`);
  if (error) throw new Error(`The identity provider refused the sign-in: ${params.get('error_description') ?? error}`);
  if (!pending || pending.state !== params.get('state')) {
    throw new Error('This sign-in answer does not belong to a sign-in started here; sign in again.');
  }
  const response = await fetch(config.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: redirectUri(),
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
    credentials: 'omit',
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new Error(`The identity provider did not issue a token: ${body.error_description ?? body.error ?? response.status}`);
  }
  const claims = decodeClaims(body.access_token) ?? decodeClaims(body.id_token) ?? {};
  return {
    accessToken: body.access_token,
    expiresAt: Date.now() + 1000 * (Number(body.expires_in) || 3600),
    subject: typeof claims.sub === 'string' ? claims.sub : 'you',
    email: typeof claims.email === 'string' ? claims.email : null,
  };
}

/** The payload of a JWT, for display only (the control plane verifies the token; the page never trusts it). */
function decodeClaims(token: unknown): Record<string, unknown> | null {
  if (typeof token !== 'string') return null;
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}
