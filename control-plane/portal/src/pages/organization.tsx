// The organization: its name and plan, a new organization, and its members (invite by subject or e-mail, roles).
import { useEffect, useState } from 'preact/hooks';
import { get, idempotencyKey, query, send, type Page } from '../api';
import { Dialog, formatTime, ProblemBox, useAction, usePaged } from '../ui';
import { ROLES, type Member, type Organization, type Plan, type Role } from '../types';

const MANAGERS = ['owner', 'admin'];

export function OrganizationPage(props: { organization: Organization; onChanged: () => void; onCreated: (id: string) => void }) {
  const organization = props.organization;
  const canManage = MANAGERS.includes(organization.role ?? '');
  const [plan, setPlan] = useState<Plan | null>(null);
  useEffect(() => {
    setPlan(null);
    // Public live plans are readable by any user; an archived or private plan shows by its id only.
    get<Plan>(`/v1/plans/${organization.planId}`).then(setPlan).catch(() => setPlan(null));
  }, [organization.planId]);
  return (
    <section aria-labelledby="org-title">
      <h1 id="org-title">Organization</h1>
      <div class="card">
        <dl class="facts">
          <div><dt>Name</dt><dd>{organization.name}</dd></div>
          <div><dt>Your role</dt><dd>{organization.role ?? '—'}</dd></div>
          <div><dt>Plan</dt><dd>{plan ? `${plan.name} (${plan.monthlyComputeUnits.toLocaleString()} CU a month)`
            : <code>{organization.planId}</code>}</dd></div>
          <div><dt>Organization id</dt><dd><code>{organization.id}</code></dd></div>
          <div><dt>Created</dt><dd>{formatTime(organization.createdAt)}</dd></div>
        </dl>
        {canManage && <Rename organization={organization} onRenamed={props.onChanged} />}
      </div>
      <Members organization={organization} canManage={canManage} />
      <NewOrganization onCreated={props.onCreated} />
    </section>
  );
}

function Rename({ organization, onRenamed }: { organization: Organization; onRenamed: () => void }) {
  const [name, setName] = useState(organization.name);
  const action = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    if (await action.run(() => send('PATCH', `/v1/organizations/${organization.id}`, { name: name.trim() }))) onRenamed();
  }
  return (
    <form class="row" onSubmit={submit}>
      <label><span>Rename</span><input required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <button type="submit" disabled={action.busy}>Save name</button>
      <ProblemBox error={action.error} />
    </form>
  );
}

function Members({ organization, canManage }: { organization: Organization; canManage: boolean }) {
  const base = `/v1/organizations/${organization.id}/members`;
  const members = usePaged<Member>((cursor) => get<Page<Member>>(base + query({ cursor, limit: 20 })), [organization.id]);
  const [removing, setRemoving] = useState<Member | null>(null);
  const change = useAction();
  const remove = useAction();

  async function setRole(member: Member, role: Role) {
    if (await change.run(() => send('PATCH', `${base}/${member.id}`, { role }))) members.reload();
  }

  return (
    <section aria-labelledby="members-title" class="card">
      <h2 id="members-title">Members</h2>
      {canManage && <Invite base={base} onInvited={members.reload} />}
      <ProblemBox error={members.error} />
      <ProblemBox error={change.error} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Members">
        <table>
          <thead><tr><th scope="col">Member</th><th scope="col">Status</th><th scope="col">Role</th>
            <th scope="col">Since</th>{canManage && <th scope="col">Actions</th>}</tr></thead>
          <tbody>
            {members.page?.items.map((m) => {
              const who = m.subject ?? m.email ?? m.id;
              return (
                <tr key={m.id}>
                  <td>{who}{m.subject && m.email ? ` (${m.email})` : ''}</td>
                  <td>{m.status}</td>
                  <td>
                    {canManage ? (
                      <select aria-label={`Role of ${who}`} value={m.role}
                        onChange={(e) => setRole(m, e.currentTarget.value as Role)}>
                        {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                      </select>
                    ) : m.role}
                  </td>
                  <td>{formatTime(m.createdAt)}</td>
                  {canManage && <td><button type="button" class="danger" aria-label={`Remove ${who}`}
                    onClick={() => setRemoving(m)}>Remove</button></td>}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {members.pager}
      <Dialog open={removing !== null} title={`Remove ${removing?.subject ?? removing?.email ?? ''}?`}
        onClose={() => { remove.clear(); setRemoving(null); }}>
        <p>They lose access to this organization at once.</p>
        <ProblemBox error={remove.error} />
        <div class="row end">
          <button type="button" onClick={() => setRemoving(null)}>Cancel</button>
          <button type="button" class="danger" disabled={remove.busy} onClick={async () => {
            if (await remove.run(() => send('DELETE', `${base}/${removing!.id}`).then(() => true))) {
              setRemoving(null);
              members.reload();
            }
          }}>Remove member</button>
        </div>
      </Dialog>
    </section>
  );
}

function Invite({ base, onInvited }: { base: string; onInvited: () => void }) {
  const [kind, setKind] = useState<'subject' | 'email'>('email');
  const [identity, setIdentity] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const action = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    const invited = await action.run(() => send('POST', base, { [kind]: identity.trim(), role }, idempotencyKey()));
    if (invited) {
      setIdentity('');
      onInvited();
    }
  }
  return (
    <form class="row" onSubmit={submit}>
      <label><span>Invite by</span>
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value as 'subject' | 'email')}>
          <option value="email">e-mail</option>
          <option value="subject">user id (subject)</option>
        </select>
      </label>
      <label class="grow"><span>{kind === 'email' ? 'E-mail address' : 'User id'}</span>
        {kind === 'email'
          ? <input required type="email" value={identity} onInput={(e) => setIdentity(e.currentTarget.value)} />
          : <input required type="text" value={identity} onInput={(e) => setIdentity(e.currentTarget.value)} />}
      </label>
      <label><span>Role</span>
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </label>
      <button type="submit" class="primary" disabled={action.busy}>Invite</button>
      <ProblemBox error={action.error} />
    </form>
  );
}

function NewOrganization({ onCreated }: { onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const action = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    const created = await action.run(() => send<Organization>('POST', '/v1/organizations', { name: name.trim() }, idempotencyKey()));
    if (created) {
      setName('');
      onCreated(created.id);
    }
  }
  return (
    <form class="card row" onSubmit={submit} aria-labelledby="new-org-title">
      <h2 id="new-org-title" class="full">Another organization</h2>
      <label class="grow"><span>Name</span><input required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <button type="submit" disabled={action.busy}>Create organization</button>
      <ProblemBox error={action.error} />
    </form>
  );
}
