// Usage: compute units and calls per hour or day, by key, chain or method (GET /usage), the quota and caps
// (GET /quota), and the same figures as CSV (the API's own text/csv answer).
import { useEffect, useState } from 'preact/hooks';
import { get, query, text } from '../api';
import { BarChart, type Series } from '../chart';
import { formatNumber, formatTime, ProblemBox, useAction } from '../ui';
import type { Allowance, Organization, QuotaStatus, UsageReport } from '../types';

const RANGES = [
  { value: '24h', label: 'Last 24 hours', hours: 24, granularity: 'hour' },
  { value: '7d', label: 'Last 7 days', hours: 24 * 7, granularity: 'hour' },
  { value: '30d', label: 'Last 30 days', hours: 24 * 30, granularity: 'day' },
] as const;

const MAX_SERIES = 6;

export function UsagePage({ organization }: { organization: Organization }) {
  const [range, setRange] = useState<(typeof RANGES)[number]['value']>('24h');
  const [granularity, setGranularity] = useState<'hour' | 'day'>('hour');
  const [groupBy, setGroupBy] = useState('');
  const [metric, setMetric] = useState<'computeUnits' | 'calls'>('computeUnits');
  const [report, setReport] = useState<UsageReport | null>(null);
  const [quota, setQuota] = useState<QuotaStatus | null>(null);
  const [tick, setTick] = useState(0);
  const load = useAction();
  const download = useAction();

  const span = bounds(range, granularity);
  const params = query({ from: span.from, to: span.to, granularity, groupBy });
  const base = `/v1/organizations/${organization.id}`;

  useEffect(() => {
    load.run(async () => {
      const [r, q] = await Promise.all([get<UsageReport>(`${base}/usage${params}`), get<QuotaStatus>(`${base}/quota`)]);
      setReport(r);
      setQuota(q);
    });
  }, [organization.id, params, tick]);

  async function csv() {
    await download.run(async () => {
      const body = await text(`${base}/usage${params}`, 'text/csv');
      const url = URL.createObjectURL(new Blob([body], { type: 'text/csv' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `relaygate-usage-${organization.name.replace(/[^\w-]+/g, '_')}-${span.from.slice(0, 10)}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
  }

  const chart = report ? chartData(report, span.buckets, metric) : null;
  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      <form class="card row filters" onSubmit={(e) => { e.preventDefault(); setTick((t) => t + 1); }}>
        <label><span>Period</span>
          <select value={range} onChange={(e) => {
            const next = RANGES.find((r) => r.value === e.currentTarget.value)!;
            setRange(next.value);
            setGranularity(next.granularity);
          }}>
            {RANGES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
          </select>
        </label>
        <label><span>Per</span>
          <select value={granularity} onChange={(e) => setGranularity(e.currentTarget.value as 'hour' | 'day')}>
            <option value="hour">hour</option>
            <option value="day">day</option>
          </select>
        </label>
        <label><span>By</span>
          <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)}>
            <option value="">everything</option>
            <option value="key">key</option>
            <option value="chain">chain</option>
            <option value="method">method</option>
          </select>
        </label>
        <label><span>Show</span>
          <select value={metric} onChange={(e) => setMetric(e.currentTarget.value as 'computeUnits' | 'calls')}>
            <option value="computeUnits">compute units</option>
            <option value="calls">calls</option>
          </select>
        </label>
        <button type="submit" disabled={load.busy}>Refresh</button>
        <button type="button" onClick={csv} disabled={download.busy}>Download CSV</button>
      </form>
      <ProblemBox error={load.error} />
      <ProblemBox error={download.error} />
      {report && (
        <>
          <dl class="totals" aria-label="Totals of the period">
            <div><dt>Calls</dt><dd data-total="calls">{formatNumber(report.totals.calls)}</dd></div>
            <div><dt>Compute units</dt><dd data-total="computeUnits">{formatNumber(report.totals.computeUnits)}</dd></div>
            <div><dt>Errors</dt><dd>{formatNumber(report.totals.errors)}</dd></div>
            <div><dt>Rate limited</dt><dd>{formatNumber(report.totals.rateLimited)}</dd></div>
          </dl>
          {chart && <BarChart labels={chart.labels} series={chart.series} title={metric === 'calls' ? 'Calls' : 'Compute units'}
            unit={metric === 'calls' ? 'calls' : 'CU'} />}
          <details>
            <summary>Figures ({report.rows.length} rows)</summary>
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Usage figures">
              <table>
                <thead><tr><th scope="col">Start</th>{report.groupBy && <th scope="col">{report.groupBy}</th>}
                  <th scope="col">Calls</th><th scope="col">Compute units</th><th scope="col">Errors</th><th scope="col">Rate limited</th></tr></thead>
                <tbody>
                  {report.rows.map((r) => (
                    <tr key={r.start + (r.group ?? '')}>
                      <td>{formatTime(r.start)}</td>{report.groupBy && <td>{r.group}</td>}
                      <td>{formatNumber(r.calls)}</td><td>{formatNumber(r.computeUnits)}</td>
                      <td>{formatNumber(r.errors)}</td><td>{formatNumber(r.rateLimited)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
      {quota && <Quota quota={quota} />}
    </section>
  );
}

function Quota({ quota }: { quota: QuotaStatus }) {
  return (
    <section aria-labelledby="quota-title" class="card">
      <h2 id="quota-title">Quota this month</h2>
      <AllowanceLine label="Organization (plan)" allowance={quota.organization} />
      {quota.keys.map((k) => (
        <div key={k.keyId}>
          {k.daily && <AllowanceLine label={`${k.name} (${k.displayPrefix}…), today`} allowance={k.daily} />}
          {k.monthly && <AllowanceLine label={`${k.name} (${k.displayPrefix}…), this month`} allowance={k.monthly} />}
        </div>
      ))}
      <p class="muted">As of {formatTime(quota.asOf)}; resets {formatTime(quota.periodEnd)}. Figures lag the gateways by a few seconds.</p>
    </section>
  );
}

function AllowanceLine({ label, allowance }: { label: string; allowance: Allowance }) {
  const text = allowance.limit === null
    ? `${formatNumber(allowance.used)} compute units used, no limit`
    : `${formatNumber(allowance.used)} of ${formatNumber(allowance.limit)} compute units (${(allowance.percentUsed ?? 0).toFixed(1)} %)`;
  return (
    <div class="allowance">
      <span>{label}</span>
      {allowance.limit !== null && (
        <meter min={0} max={100} low={80} high={99} optimum={0} value={Math.min(allowance.percentUsed ?? 0, 100)}
          aria-label={`${label}: ${text}`} />
      )}
      <span class="muted">{text}</span>
    </div>
  );
}

/** [from, to) covering whole buckets up to and including the current one, and the bucket starts in it. */
function bounds(range: string, granularity: 'hour' | 'day') {
  const hours = RANGES.find((r) => r.value === range)!.hours;
  const unit = granularity === 'hour' ? 3_600_000 : 86_400_000;
  const end = Math.floor(Date.now() / unit) * unit + unit;
  const start = end - Math.ceil((hours * 3_600_000) / unit) * unit;
  const buckets: string[] = [];
  for (let t = start; t < end; t += unit) buckets.push(new Date(t).toISOString());
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString(), buckets };
}

function chartData(report: UsageReport, buckets: string[], metric: 'computeUnits' | 'calls') {
  const index = new Map(buckets.map((b, i) => [b.replace('.000Z', 'Z'), i]));
  const byGroup = new Map<string, number[]>();
  for (const row of report.rows) {
    const i = index.get(new Date(row.start).toISOString().replace('.000Z', 'Z'));
    if (i === undefined) continue;
    const group = row.group ?? 'all';
    if (!byGroup.has(group)) byGroup.set(group, new Array(buckets.length).fill(0));
    byGroup.get(group)![i] += row[metric];
  }
  // The largest groups get a colour each; the rest are summed as "other".
  const ranked = [...byGroup.entries()].sort((a, b) => sum(b[1]) - sum(a[1]));
  const series: Series[] = ranked.slice(0, MAX_SERIES).map(([name, values]) => ({ name, values }));
  if (ranked.length > MAX_SERIES) {
    const other = new Array(buckets.length).fill(0);
    for (const [, values] of ranked.slice(MAX_SERIES)) values.forEach((v, i) => (other[i] += v));
    series.push({ name: 'other', values: other });
  }
  const labels = buckets.map((b) => {
    const d = new Date(b);
    if (report.granularity === 'hour' && buckets.length > 24) {
      return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit' });
    }
    return report.granularity === 'hour'
      ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
      : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  });
  return { labels, series };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
