// Billing: the plan in force, an upgrade through Stripe Checkout, the Stripe Billing Portal, and invoices.
import { useEffect, useState } from 'preact/hooks';
import { get, idempotencyKey, query, send, type Page } from '../api';
import { formatNumber, formatTime, ProblemBox, useAction, usePaged } from '../ui';
import type { Billing, Invoice, Organization, Plan } from '../types';

export function BillingPage({ organization }: { organization: Organization }) {
  const base = `/v1/organizations/${organization.id}/billing`;
  const [billing, setBilling] = useState<Billing | null>(null);
  const [plans, setPlans] = useState<Plan[]>([]);
  const [planId, setPlanId] = useState('');
  const load = useAction();
  const redirect = useAction();

  useEffect(() => {
    setBilling(null);
    load.run(async () => {
      const [b, p] = await Promise.all([get<Billing>(base), get<Page<Plan>>('/v1/plans?limit=200')]);
      setBilling(b);
      setPlans(p.items);
      setPlanId(p.items.find((plan) => plan.id !== b.planId)?.id ?? '');
    });
  }, [organization.id]);

  async function go(path: string, body: unknown) {
    const answer = await redirect.run(() => send<{ url: string }>('POST', path, body, idempotencyKey()));
    // Stripe's own pages: the browser leaves the portal and Stripe sends it back to the configured return URL.
    if (answer) location.assign(answer.url);
  }

  return (
    <section aria-labelledby="billing-title">
      <h1 id="billing-title">Billing</h1>
      <ProblemBox error={load.error} />
      {billing && (
        <div class="card">
          <dl class="facts">
            <div><dt>Plan</dt><dd>{billing.planName}</dd></div>
            <div><dt>Subscription</dt><dd>{billing.subscription ? billing.subscription.status : 'none (free plan)'}</dd></div>
            {billing.subscription && <div><dt>Current period</dt>
              <dd>{formatTime(billing.subscription.currentPeriodStart)} – {formatTime(billing.subscription.currentPeriodEnd)}</dd></div>}
            {billing.subscription?.graceEndsAt && <div><dt>Payment overdue; paid plan until</dt>
              <dd>{formatTime(billing.subscription.graceEndsAt)}</dd></div>}
            <div><dt>Compute units this period</dt><dd>{formatNumber(billing.computeUnitsThisPeriod)}</dd></div>
          </dl>
          {!billing.subscription && plans.length > 0 && (
            <form class="row" onSubmit={(e) => { e.preventDefault(); go(`${base}/checkout`, { planId }); }}>
              <label><span>Upgrade to</span>
                <select value={planId} onChange={(e) => setPlanId(e.currentTarget.value)}>
                  {plans.filter((p) => p.id !== billing.planId).map((p) => (
                    <option key={p.id} value={p.id}>{p.name} ({formatNumber(p.monthlyComputeUnits)} CU a month)</option>
                  ))}
                </select>
              </label>
              <button type="submit" class="primary" disabled={redirect.busy || !planId}>Upgrade with Stripe Checkout</button>
            </form>
          )}
          {billing.subscription && (
            <button type="button" disabled={redirect.busy} onClick={() => go(`${base}/portal`, undefined)}>
              Manage payment and subscription (Stripe)
            </button>
          )}
          <ProblemBox error={redirect.error} />
        </div>
      )}
      {billing && <Invoices base={base} />}
    </section>
  );
}

function Invoices({ base }: { base: string }) {
  const invoices = usePaged<Invoice>((cursor) => get<Page<Invoice>>(`${base}/invoices` + query({ cursor, limit: 20 })), [base]);
  return (
    <section aria-labelledby="invoices-title" class="card">
      <h2 id="invoices-title">Invoices</h2>
      <ProblemBox error={invoices.error} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Invoices">
        <table>
          <thead><tr><th scope="col">Number</th><th scope="col">Date</th><th scope="col">Status</th><th scope="col">Amount</th><th scope="col">Links</th></tr></thead>
          <tbody>
            {invoices.page?.items.map((i) => (
              <tr key={i.id}>
                <td>{i.number ?? i.id}</td>
                <td>{formatTime(i.createdAt)}</td>
                <td>{i.status}</td>
                <td>{money(i.amountDue, i.currency)}</td>
                <td>
                  {i.hostedInvoiceUrl && <a href={i.hostedInvoiceUrl} rel="noopener noreferrer" target="_blank">View</a>}{' '}
                  {i.invoicePdf && <a href={i.invoicePdf} rel="noopener noreferrer" target="_blank">PDF</a>}
                </td>
              </tr>
            ))}
            {invoices.page && invoices.page.items.length === 0 && <tr><td colSpan={5} class="muted">No invoices yet.</td></tr>}
          </tbody>
        </table>
      </div>
      {invoices.pager}
    </section>
  );
}

function money(amount: number | null, currency: string): string {
  if (amount === null) return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
  } catch {
    return `${amount} ${currency}`;
  }
}
