import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, idempotencyKey, send, useToken, type Page } from './api';
import { beginSignIn, completeSignIn, loadConfig, type PortalConfig, type Session } from './auth';
import { ProblemBox } from './ui';
import type { Organization } from './types';
import { KeysPage } from './pages/keys';
import { UsagePage } from './pages/usage';
import { OrganizationPage } from './pages/organization';
import { BillingPage } from './pages/billing';
import { AuditPage } from './pages/audit';
import './styles.css';

const PAGES = [
  { route: 'keys', label: 'API keys' },
  { route: 'usage', label: 'Usage' },
  { route: 'organization', label: 'Organization' },
  { route: 'billing', label: 'Billing' },
  { route: 'audit', label: 'Audit log' },
] as const;

type Route = (typeof PAGES)[number]['route'];

function currentRoute(): Route {
  const name = location.hash.replace(/^#\/?/, '');
  return (PAGES.find((p) => p.route === name)?.route ?? 'keys') as Route;
}

function App() {
  const [config, setConfig] = useState<PortalConfig | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(true);

  useEffect(() => {
    (async () => {
      const loaded = await loadConfig();
      setConfig(loaded);
      if (loaded.signIn) setSession(await completeSignIn(loaded.signIn));
    })().catch(setError).finally(() => setStarting(false));
  }, []);

  useToken(session?.accessToken ?? null, () => {
    setSession(null);
    setError(new Error('Your session has ended; sign in again.'));
  });

  if (starting) return <main class="centered"><p>Loading…</p></main>;
  if (!session) {
    return (
      <main class="centered sign-in">
        <h1>Relaygate</h1>
        <p>Manage your API keys, watch your usage and pay for your plan.</p>
        <ProblemBox error={error} />
        {config?.signIn ? (
          <button type="button" class="primary" onClick={() => beginSignIn(config.signIn!).catch(setError)}>
            Sign in
          </button>
        ) : (
          config && <p class="problem" role="alert">Sign-in is not configured on this control plane
            (relaygate.portal.sign-in, docs/portal.md).</p>
        )}
      </main>
    );
  }
  return <SignedIn session={session} onSignOut={() => setSession(null)} />;
}

function SignedIn({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [route, setRoute] = useState<Route>(currentRoute());
  const [organizations, setOrganizations] = useState<Organization[] | null>(null);
  const [organizationId, setOrganizationId] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    (async () => {
      let mine = await get<Page<Organization>>('/v1/organizations?limit=200');
      if (mine.items.length === 0) {
        // First sign-in: the user gets an organization of their own, made through the public API like any other.
        const name = `${session.email ?? session.subject}'s organization`.slice(0, 200);
        await send('POST', '/v1/organizations', { name }, idempotencyKey());
        mine = await get<Page<Organization>>('/v1/organizations?limit=200');
      }
      setOrganizations(mine.items);
      setOrganizationId((id) => (id && mine.items.some((o) => o.id === id) ? id : mine.items[0]?.id ?? null));
    })().catch(setError);
  }, [generation]);

  const organization = organizations?.find((o) => o.id === organizationId) ?? null;
  const refresh = () => setGeneration((g) => g + 1);

  return (
    <>
      <a class="skip" href="#content">Skip to content</a>
      <header class="top">
        <span class="brand">Relaygate</span>
        {organizations && organizations.length > 0 && (
          <label class="org-select">
            <span>Organization</span>
            <select value={organizationId ?? ''} onChange={(e) => setOrganizationId(e.currentTarget.value)}>
              {organizations.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
            </select>
          </label>
        )}
        <span class="who" title={session.subject}>{session.email ?? session.subject}</span>
        <button type="button" onClick={onSignOut}>Sign out</button>
      </header>
      <nav class="tabs" aria-label="Portal">
        {PAGES.map((p) => (
          <a key={p.route} href={`#/${p.route}`} aria-current={route === p.route ? 'page' : undefined}>{p.label}</a>
        ))}
      </nav>
      <main id="content" tabIndex={-1}>
        <ProblemBox error={error} />
        {organization && (
          <>
            {route === 'keys' && <KeysPage organization={organization} />}
            {route === 'usage' && <UsagePage organization={organization} />}
            {route === 'organization' && <OrganizationPage organization={organization} onChanged={refresh}
              onCreated={(id) => { setOrganizationId(id); refresh(); }} />}
            {route === 'billing' && <BillingPage organization={organization} />}
            {route === 'audit' && <AuditPage organization={organization} />}
          </>
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
