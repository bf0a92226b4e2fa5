// API keys: create (the secret is shown once), list, edit the policy, rotate with grace, revoke with confirmation.
import { useState } from 'preact/hooks';
import { get, idempotencyKey, query, send, type Page } from '../api';
import { Dialog, formatTime, ProblemBox, useAction, usePaged } from '../ui';
import type { ApiKey, IssuedKey, KeyPolicy, Organization } from '../types';

const KEY_WRITERS = ['owner', 'admin', 'developer'];

export function KeysPage({ organization }: { organization: Organization }) {
  const base = `/v1/organizations/${organization.id}/keys`;
  const [showRevoked, setShowRevoked] = useState(false);
  const keys = usePaged<ApiKey>(
    (cursor) => get<Page<ApiKey>>(base + query({ cursor, limit: 20, revoked: showRevoked ? undefined : false })),
    [organization.id, showRevoked],
  );
  const [issued, setIssued] = useState<{ key: IssuedKey; rotated: boolean } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [rotating, setRotating] = useState<ApiKey | null>(null);
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const canWrite = KEY_WRITERS.includes(organization.role ?? '');

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <p class="muted">
        Use a key in your JSON-RPC URL: <code>https://your-gateway/v1/&#123;chain&#125;/&#123;key&#125;</code>.
      </p>
      {canWrite && <CreateKey base={base} onCreated={(key) => { setIssued({ key, rotated: false }); keys.reload(); }} />}
      {issued && <SecretOnce issued={issued.key} rotated={issued.rotated} onDone={() => setIssued(null)} />}
      <div class="list-head">
        <h2>Your keys</h2>
        <label class="inline">
          <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.currentTarget.checked)} />
          Show revoked keys
        </label>
      </div>
      <ProblemBox error={keys.error} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Keys">
        <table>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Status</th>
              <th scope="col">Created</th><th scope="col">Last used</th>{canWrite && <th scope="col">Actions</th>}</tr>
          </thead>
          <tbody>
            {keys.page?.items.map((key) => (
              <tr key={key.id} data-key-id={key.id}>
                <td>{key.name}</td>
                <td><code>{key.displayPrefix}…</code></td>
                <td>{status(key)}</td>
                <td>{formatTime(key.createdAt)}</td>
                <td>{key.lastUsedDay ?? '—'}</td>
                {canWrite && (
                  <td class="actions">
                    {!key.revokedAt && (
                      <>
                        <button type="button" onClick={() => setEditing(key)} aria-label={`Edit policy of ${key.name}`}>Policy</button>
                        <button type="button" onClick={() => setRotating(key)} aria-label={`Rotate ${key.name}`}>Rotate</button>
                        <button type="button" class="danger" onClick={() => setRevoking(key)}
                          aria-label={`Revoke ${key.name}`}>Revoke</button>
                      </>
                    )}
                  </td>
                )}
              </tr>
            ))}
            {keys.page && keys.page.items.length === 0 && (
              <tr><td colSpan={6} class="muted">No keys yet. Create one above.</td></tr>
            )}
          </tbody>
        </table>
      </div>
      {keys.pager}
      <RevokeDialog base={base} apiKey={revoking} onClose={() => setRevoking(null)} onRevoked={keys.reload} />
      <RotateDialog base={base} apiKey={rotating} onClose={() => setRotating(null)}
        onRotated={(key) => { setIssued({ key, rotated: true }); keys.reload(); }} />
      <PolicyDialog base={base} apiKey={editing} onClose={() => setEditing(null)} onSaved={keys.reload} />
    </section>
  );
}

function status(key: ApiKey): string {
  if (key.revokedAt) return `Revoked ${formatTime(key.revokedAt)}`;
  if (key.expiresAt && new Date(key.expiresAt) < new Date()) return 'Expired';
  if (key.previousSecretExpiresAt && new Date(key.previousSecretExpiresAt) > new Date()) {
    return `Active; old secret works until ${formatTime(key.previousSecretExpiresAt)}`;
  }
  return 'Active';
}

function CreateKey({ base, onCreated }: { base: string; onCreated: (key: IssuedKey) => void }) {
  const [name, setName] = useState('');
  const action = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    const key = await action.run(() => send<IssuedKey>('POST', base, { name: name.trim() }, idempotencyKey()));
    if (key) {
      setName('');
      onCreated(key);
    }
  }
  return (
    <form class="card row" onSubmit={submit}>
      <label>
        <span>New key name</span>
        <input name="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)}
          placeholder="web app" />
      </label>
      <button type="submit" class="primary" disabled={action.busy}>Create key</button>
      <ProblemBox error={action.error} />
    </form>
  );
}

function SecretOnce({ issued, rotated, onDone }: { issued: IssuedKey; rotated: boolean; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(issued.secret);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('The browser refused the clipboard: select the key and copy it yourself.');
    }
  }
  return (
    <div class="card secret" role="status" aria-live="polite">
      <h2>{rotated ? `New secret of ${issued.name}` : `Key ${issued.name} created`}</h2>
      <p>
        This is the only time the secret is shown. Store it now.
        {rotated && issued.previousSecretExpiresAt && ` The old secret works until ${formatTime(issued.previousSecretExpiresAt)}.`}
      </p>
      <div class="row">
        <label class="grow">
          <span>Secret</span>
          <input id="issued-secret" readOnly value={issued.secret} onFocus={(e) => e.currentTarget.select()} />
        </label>
        <button type="button" onClick={copy}>Copy</button>
        <button type="button" onClick={onDone}>I have stored it</button>
      </div>
      {copied && <p class="muted">{copied}</p>}
    </div>
  );
}

function RevokeDialog(props: { base: string; apiKey: ApiKey | null; onClose: () => void; onRevoked: () => void }) {
  const action = useAction();
  const key = props.apiKey;
  async function revoke() {
    const done = await action.run(() => send('POST', `${props.base}/${key!.id}/revoke`));
    if (done) {
      props.onRevoked();
      props.onClose();
    }
  }
  return (
    <Dialog open={key !== null} title={`Revoke ${key?.name ?? ''}?`} onClose={() => { action.clear(); props.onClose(); }}>
      <p>Every gateway refuses the key within a second, both its secrets. This cannot be undone.</p>
      <ProblemBox error={action.error} />
      <div class="row end">
        <button type="button" onClick={props.onClose}>Cancel</button>
        <button type="button" class="danger" disabled={action.busy} onClick={revoke}>Revoke key</button>
      </div>
    </Dialog>
  );
}

function RotateDialog(props: { base: string; apiKey: ApiKey | null; onClose: () => void; onRotated: (key: IssuedKey) => void }) {
  const [hours, setHours] = useState('24');
  const action = useAction();
  const key = props.apiKey;
  async function rotate(e: Event) {
    e.preventDefault();
    const issued = await action.run(() => send<IssuedKey>('POST', `${props.base}/${key!.id}/rotate`,
      { gracePeriodSeconds: Math.round(Number(hours) * 3600) }, idempotencyKey()));
    if (issued) {
      props.onRotated(issued);
      props.onClose();
    }
  }
  return (
    <Dialog open={key !== null} title={`Rotate ${key?.name ?? ''}`} onClose={() => { action.clear(); props.onClose(); }}>
      <form onSubmit={rotate}>
        <p>A new secret is issued. The current one keeps working for the grace period, then stops.</p>
        <label>
          <span>Grace period (hours; 0 retires the current secret now)</span>
          <input type="number" min={0} step="any" required value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
        </label>
        <ProblemBox error={action.error} />
        <div class="row end">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={action.busy}>Rotate</button>
        </div>
      </form>
    </Dialog>
  );
}

const LIST_FIELDS: { field: keyof KeyPolicy; label: string; hint: string }[] = [
  { field: 'allowedChains', label: 'Allowed chains', hint: 'e.g. eth-mainnet' },
  { field: 'allowedOrigins', label: 'Allowed origins', hint: 'https://app.example.com or *.example.com' },
  { field: 'allowedCidrs', label: 'Allowed addresses (CIDR)', hint: '203.0.113.0/24' },
  { field: 'allowedMethods', label: 'Allowed methods', hint: 'eth_call' },
  { field: 'deniedMethods', label: 'Denied methods', hint: 'eth_sendRawTransaction' },
];

const CAP_FIELDS: { field: 'computeUnitsPerSecond' | 'dailyComputeUnits' | 'monthlyComputeUnits'; label: string }[] = [
  { field: 'computeUnitsPerSecond', label: 'Rate cap (compute units per second)' },
  { field: 'dailyComputeUnits', label: 'Daily cap (compute units per UTC day)' },
  { field: 'monthlyComputeUnits', label: 'Monthly cap (compute units per month)' },
];

function PolicyDialog(props: { base: string; apiKey: ApiKey | null; onClose: () => void; onSaved: () => void }) {
  const key = props.apiKey;
  return (
    <Dialog open={key !== null} title={`Policy of ${key?.name ?? ''}`} onClose={props.onClose}>
      {key && <PolicyForm {...props} apiKey={key} />}
    </Dialog>
  );
}

function PolicyForm(props: { base: string; apiKey: ApiKey; onClose: () => void; onSaved: () => void }) {
  const policy = props.apiKey.policy;
  const [name, setName] = useState(props.apiKey.name);
  const [lists, setLists] = useState<Record<string, string>>(
    Object.fromEntries(LIST_FIELDS.map(({ field }) => [field, (policy[field] as string[]).join('\n')])));
  const [caps, setCaps] = useState<Record<string, string>>(
    Object.fromEntries(CAP_FIELDS.map(({ field }) => [field, policy[field]?.toString() ?? ''])));
  const [jwtRequired, setJwtRequired] = useState(policy.jwtRequired);
  const [jwtKeys, setJwtKeys] = useState(policy.jwtPublicKeys.length ? JSON.stringify(policy.jwtPublicKeys, null, 2) : '');
  const action = useAction();

  async function save(e: Event) {
    e.preventDefault();
    const saved = await action.run(async () => {
      const body: Record<string, unknown> = { jwtRequired, jwtPublicKeys: parseJwtKeys(jwtKeys) };
      for (const { field } of LIST_FIELDS) {
        body[field] = lists[field].split(/[\n,]/).map((v) => v.trim()).filter(Boolean);
      }
      for (const { field } of CAP_FIELDS) {
        if (caps[field].trim()) body[field] = Number(caps[field]);
      }
      return send('PATCH', `${props.base}/${props.apiKey.id}`, { name: name.trim(), policy: body });
    });
    if (saved) {
      props.onSaved();
      props.onClose();
    }
  }

  return (
    <form onSubmit={save} class="policy">
      <label><span>Name</span><input required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <p class="muted">One value per line; an empty list means no restriction.</p>
      <div class="grid">
        {LIST_FIELDS.map(({ field, label, hint }) => (
          <label key={field}>
            <span>{label}</span>
            <textarea rows={2} placeholder={hint} value={lists[field]}
              onInput={(e) => setLists({ ...lists, [field]: e.currentTarget.value })} />
          </label>
        ))}
        {CAP_FIELDS.map(({ field, label }) => (
          <label key={field}>
            <span>{label}</span>
            <input type="number" min={1} step={1} placeholder="no cap" value={caps[field]}
              onInput={(e) => setCaps({ ...caps, [field]: e.currentTarget.value })} />
          </label>
        ))}
      </div>
      <label class="inline">
        <input type="checkbox" checked={jwtRequired} onChange={(e) => setJwtRequired(e.currentTarget.checked)} />
        Require a JWT signed by one of the keys below (docs/jwt-secured-keys.md)
      </label>
      <label>
        <span>JWT public keys (a JSON array of public JWKs, or PEM public keys one after another)</span>
        <textarea rows={4} value={jwtKeys} onInput={(e) => setJwtKeys(e.currentTarget.value)} />
      </label>
      <ProblemBox error={action.error} />
      <div class="row end">
        <button type="button" onClick={props.onClose}>Cancel</button>
        <button type="submit" class="primary" disabled={action.busy}>Save policy</button>
      </div>
    </form>
  );
}

/** The API takes JWKs as objects and PEM keys as strings; this accepts either as typed. */
function parseJwtKeys(value: string): unknown[] {
  const trimmed = value.trim();
  if (!trimmed) return [];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed);
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  return trimmed.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [trimmed];
}
