// The audit log: every change to the organization, who made it and what it was (owners and admins).
import { useState } from 'preact/hooks';
import { get, query, type Page } from '../api';
import { formatTime, ProblemBox, usePaged } from '../ui';
import type { AuditEntry, Organization } from '../types';

export function AuditPage({ organization }: { organization: Organization }) {
  const [action, setAction] = useState('');
  const [filter, setFilter] = useState('');
  const log = usePaged<AuditEntry>((cursor) => get<Page<AuditEntry>>(
    `/v1/organizations/${organization.id}/audit-log` + query({ cursor, limit: 25, action: filter })), [organization.id, filter]);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form class="card row" onSubmit={(e) => { e.preventDefault(); setFilter(action.trim()); }}>
        <label><span>Action</span>
          <input value={action} placeholder="key.revoke" onInput={(e) => setAction(e.currentTarget.value)} /></label>
        <button type="submit">Filter</button>
      </form>
      <ProblemBox error={log.error} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Audit log entries">
        <table>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Change</th></tr></thead>
          <tbody>
            {log.page?.items.map((entry) => (
              <tr key={entry.id}>
                <td>{formatTime(entry.at)}</td>
                <td>{entry.actor}</td>
                <td><code>{entry.action}</code></td>
                <td>{entry.targetType} <code>{entry.targetId}</code></td>
                <td>
                  <details>
                    <summary>Before and after</summary>
                    <pre>{JSON.stringify({ before: entry.before, after: entry.after, requestId: entry.requestId }, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
            {log.page && log.page.items.length === 0 && <tr><td colSpan={5} class="muted">Nothing recorded.</td></tr>}
          </tbody>
        </table>
      </div>
      {log.pager}
    </section>
  );
}
