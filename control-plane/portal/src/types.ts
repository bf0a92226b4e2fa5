// The API's documents as the portal reads them (docs/openapi/control-plane.json has the full schemas).

export type Role = 'owner' | 'admin' | 'developer' | 'billing' | 'viewer';

export const ROLES: Role[] = ['owner', 'admin', 'developer', 'billing', 'viewer'];

export interface Organization {
  id: string;
  name: string;
  planId: string;
  createdAt: string;
  updatedAt: string;
  role: Role | null;
}

export interface KeyPolicy {
  allowedChains: string[];
  allowedOrigins: string[];
  allowedCidrs: string[];
  allowedMethods: string[];
  deniedMethods: string[];
  jwtRequired: boolean;
  jwtPublicKeys: Record<string, unknown>[];
  computeUnitsPerSecond: number | null;
  dailyComputeUnits: number | null;
  monthlyComputeUnits: number | null;
}

export interface ApiKey {
  id: string;
  organizationId: string;
  name: string;
  displayPrefix: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedDay: string | null;
  previousSecretExpiresAt: string | null;
  policy: KeyPolicy;
  version: number;
}

export interface IssuedKey extends ApiKey {
  secret: string;
}

export interface Member {
  id: string;
  organizationId: string;
  subject: string | null;
  email: string | null;
  role: Role;
  status: 'active' | 'invited';
  createdAt: string;
}

export interface UsageRow {
  start: string;
  group?: string | null;
  calls: number;
  computeUnits: number;
  errors: number;
  rateLimited: number;
}

export interface UsageReport {
  organizationId: string;
  from: string;
  to: string;
  granularity: 'hour' | 'day';
  groupBy: string | null;
  rows: UsageRow[];
  totals: { calls: number; computeUnits: number; errors: number; rateLimited: number };
}

export interface Allowance {
  limit: number | null;
  used: number;
  remaining: number | null;
  percentUsed: number | null;
  resetsAt: string;
}

export interface QuotaStatus {
  periodStart: string;
  periodEnd: string;
  organization: Allowance;
  keys: { keyId: string; name: string; displayPrefix: string; daily: Allowance | null; monthly: Allowance | null }[];
  asOf: string;
}

export interface Plan {
  id: string;
  name: string;
  monthlyComputeUnits: number;
  computeUnitsPerSecond: number;
}

export interface Billing {
  organizationId: string;
  planId: string;
  planName: string;
  subscription: {
    id: string;
    status: string;
    currentPeriodStart: string | null;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    graceEndsAt: string | null;
  } | null;
  computeUnitsThisPeriod: number;
}

export interface Invoice {
  id: string;
  number: string | null;
  status: string;
  currency: string;
  amountDue: number | null;
  amountPaid: number | null;
  createdAt: string;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
}

export interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  at: string;
}
