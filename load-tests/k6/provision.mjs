#!/usr/bin/env node
// Provisions what the k6 scenarios need through the control-plane REST API (docs/control-plane-api.md), as an
// administrator would with curl: the plans of data/plans.json (created, or updated by name so that a re-run
// restores their limits), one organization per plan (a plan belongs to an organization, and so does the
// rate-limit bucket), and the keys, whose secrets it writes to the keys file (mode 0600).
//
//   RELAYGATE_TOKEN=<admin token> node load-tests/k6/provision.mjs            # ./run-local prints the token
//   RELAYGATE_TOKEN=... node load-tests/k6/provision.mjs --revoke              # revokes the keys of the keys file
//
// Environment: CONTROL_PLANE_URL (default http://127.0.0.1:8090), RELAYGATE_TOKEN (platform admin),
// KEYS_FILE (default data/keys.local.json beside this script), PLANS_FILE (default data/plans.json),
// ALLOW_REMOTE=true to provision a control plane that is not on loopback.

import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { isLoopback } from './lib/config.js';
import { parseKeys } from './lib/keys.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const controlPlane = (process.env.CONTROL_PLANE_URL || 'http://127.0.0.1:8090').replace(/\/$/, '');
const keysFile = resolve(process.env.KEYS_FILE || `${here}data/keys.local.json`);
const plansFile = resolve(process.env.PLANS_FILE || `${here}data/plans.json`);
const token = process.env.RELAYGATE_TOKEN;
const TIMEOUT_MS = 10000;

async function main(args) {
  if (!token) {
    fail('RELAYGATE_TOKEN must hold a platform-administrator token (./run-local prints one)');
  }
  const url = new URL(controlPlane);
  if (!isLoopback(url.host) && process.env.ALLOW_REMOTE !== 'true') {
    fail(`CONTROL_PLANE_URL ${controlPlane} is not on loopback: set ALLOW_REMOTE=true to provision it`);
  }
  if (args.includes('--revoke')) {
    await revokeAll();
    return;
  }
  if (args.length > 0) {
    fail(`unknown arguments: ${args.join(' ')} (only --revoke)`);
  }
  await provision();
}

async function provision() {
  const plans = JSON.parse(readFileSync(plansFile, 'utf8')).plans;
  const run = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const keys = [];
  for (const spec of plans) {
    const plan = await upsertPlan(spec);
    const org = await call('POST', '/v1/organizations', { name: `${spec.name} load test ${run}` }, 201,
        { 'Idempotency-Key': randomUUID() });
    await call('PUT', `/v1/organizations/${org.id}/plan`, { planId: plan.id }, 200);
    for (let i = 1; i <= spec.keys; i++) {
      const key = await call('POST', `/v1/organizations/${org.id}/keys`, { name: `${spec.name}-${i} (k6 ${run})` },
          201, { 'Idempotency-Key': randomUUID() });
      keys.push({ name: `${spec.name}-${i}`, secret: key.secret, plan: spec.name, expect: spec.expect,
        weight: spec.weight, organizationId: org.id, keyId: key.id });
    }
    console.log(`plan ${spec.name} (${plan.id}, version ${plan.version}): organization ${org.id}, ${spec.keys} key(s), expect ${spec.expect}`);
  }
  const file = { about: `Written by provision.mjs at ${run} for ${controlPlane}. Holds key secrets: do not commit.`, keys };
  parseKeys(file); // the scenarios will read it: refuse to write what they would refuse
  writeFileSync(keysFile, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  chmodSync(keysFile, 0o600);
  console.log(`${keys.length} keys written to ${keysFile}`);
}

/** The live plan named spec.name with spec.limits: updated in place if it exists (admins see every plan), else created. */
async function upsertPlan(spec) {
  let cursor = null;
  do {
    const query = `/v1/plans?includeArchived=false&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await call('GET', query, null, 200);
    const found = page.items.find((p) => p.name.toLowerCase() === spec.name.toLowerCase() && !p.archivedAt);
    if (found) {
      return call('PATCH', `/v1/plans/${found.id}`, spec.limits, 200);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return call('POST', '/v1/plans', Object.assign({ name: spec.name }, spec.limits), 201,
      { 'Idempotency-Key': randomUUID() });
}

async function revokeAll() {
  const file = JSON.parse(readFileSync(keysFile, 'utf8'));
  for (const key of file.keys) {
    if (!key.organizationId || !key.keyId) {
      console.log(`${key.name}: no organization or key id in ${keysFile}, skipped`);
      continue;
    }
    await call('POST', `/v1/organizations/${key.organizationId}/keys/${key.keyId}/revoke`, null, 200);
    console.log(`${key.name}: revoked`);
  }
}

/** One REST call; fails with the problem detail unless the answer has the expected status. */
async function call(method, path, body, expected, headers) {
  const res = await fetch(controlPlane + path, {
    method,
    headers: Object.assign({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, headers || {}),
    body: body === null ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status !== expected) {
    fail(`${method} ${path} answered ${res.status} (expected ${expected}): ${text.slice(0, 500)}`);
  }
  return text === '' ? null : JSON.parse(text);
}

function fail(message) {
  console.error(`provision: ${message}`);
  process.exit(1);
}

main(process.argv.slice(2)).catch((e) => fail(e.message));
