import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, distill, formatComparison, formatText, methodMetric, LATENCY_METRIC, SUMMARY_FORMAT } from '../lib/summary.js';

const COMPARE = fileURLToPath(new URL('../compare.mjs', import.meta.url));

/** handleSummary data as k6 passes it, reduced to what distill reads. */
function k6Data({ p95 = 9, p99 = 20, errors = 0, reqRate = 50, callP99 = 12 } = {}) {
  return {
    state: { testRunDurationMs: 300512 },
    metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count: 15000, rate: reqRate } },
      rpc_calls: { type: 'counter', contains: 'default', values: { count: 19000, rate: reqRate * 1.27 } },
      rpc_errors: { type: 'rate', contains: 'default', values: { rate: errors, passes: 0, fails: 15000 },
        thresholds: { 'rate<=0.001': { ok: errors <= 0.001 } } },
      rate_limited: { type: 'counter', contains: 'default', values: { count: 1400, rate: 4.6 },
        thresholds: { 'count>0': { ok: true } } },
      rate_limited_valid: { type: 'rate', contains: 'default', values: { rate: 1, passes: 1400, fails: 0 },
        thresholds: { 'rate==1': { ok: true } } },
      [LATENCY_METRIC]: { type: 'trend', contains: 'time',
        values: { avg: 4, min: 1, med: 3.5, max: 80, 'p(90)': 7, 'p(95)': p95, 'p(99)': p99 },
        thresholds: { 'p(95)<250': { ok: p95 < 250 }, 'p(99)<600': { ok: p99 < 600 } } },
      [methodMetric('eth_call')]: { type: 'trend', contains: 'time',
        values: { avg: 4, min: 1, med: 3.6, max: 70, 'p(90)': 7, 'p(95)': 9, 'p(99)': callP99 },
        thresholds: { 'p(99)<600': { ok: true } } },
      vus: { type: 'gauge', contains: 'default', values: { value: 3, min: 1, max: 5 } },
    },
  };
}

const META = { scenario: 'average', target: 'http://127.0.0.1:8080/v1/anvil', finishedAt: '2026-12-01T10:00:00.000Z', settings: { rate: 50 } };

test('distillsMetricsAndThresholdVerdicts', () => {
  const summary = distill(k6Data(), META);
  assert.equal(summary.format, SUMMARY_FORMAT);
  assert.equal(summary.passed, true);
  assert.equal(summary.durationMs, 300512);
  assert.equal(summary.metrics[LATENCY_METRIC].values['p(99)'], 20);
  assert.deepEqual(summary.thresholds.rpc_errors, { 'rate<=0.001': true });
  assert.equal(distill(k6Data({ p95: 400 }), META).passed, false);
});

test('printsTheHeadlineNumbersAndFailedThresholds', () => {
  const text = formatText(distill(k6Data({ p95: 400 }), META));
  assert.match(text, /average against http:\/\/127\.0\.0\.1:8080\/v1\/anvil \(300\.5 s\): THRESHOLDS FAILED/);
  assert.match(text, /1400 refusals, 100\.00 % well formed/);
  assert.match(text, /eth_call\s+med 3\.6 ms/);
  assert.match(text, /FAILED http_req_duration\{key_expect:ok\} p\(95\)<250/);
});

test('saysWhichMetricMovedAndInWhichDirection', () => {
  const base = distill(k6Data(), META);
  const current = distill(k6Data({ p99: 30, errors: 0.01, reqRate: 50.5, callP99: 8 }), META);
  const rows = compare(base, current).rows;
  const find = (metric, stat) => rows.find((r) => r.metric === metric && r.stat === stat);
  assert.equal(find(LATENCY_METRIC, 'p(99)').verdict, 'worse');
  assert.equal(find(LATENCY_METRIC, 'p(95)').verdict, 'same');
  assert.equal(find('rpc_errors', 'rate').verdict, 'worse');
  assert.equal(find('http_reqs', 'rate').verdict, 'same');
  assert.equal(find(methodMetric('eth_call'), 'p(99)').verdict, 'better');
  assert.equal(rows.find((r) => r.metric === 'vus'), undefined);
  const text = formatComparison(compare(base, current), false);
  assert.match(text.split('\n')[0], /^worse/);
  assert.doesNotMatch(text, /http_reqs/);
});

test('ignoresSubMillisecondJitterAndWarnsAboutDifferentRuns', () => {
  const base = distill(k6Data({ p95: 1.0 }), META);
  const current = distill(k6Data({ p95: 1.3 }), Object.assign({}, META, { scenario: 'soak' }));
  const result = compare(base, current);
  assert.equal(result.rows.find((r) => r.metric === LATENCY_METRIC && r.stat === 'p(95)').verdict, 'same');
  assert.deepEqual(result.warnings, ['different scenarios: average vs soak']);
  assert.throws(() => compare({}, current), /not a Relaygate k6 summary/);
});

test('compareScriptExitsOneWhenSomethingGotWorse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k6-compare-'));
  const base = join(dir, 'base.json');
  const same = join(dir, 'same.json');
  const worse = join(dir, 'worse.json');
  writeFileSync(base, JSON.stringify(distill(k6Data(), META)));
  writeFileSync(same, JSON.stringify(distill(k6Data({ p99: 21 }), META)));
  writeFileSync(worse, JSON.stringify(distill(k6Data({ p99: 40 }), META)));
  const run = (...args) => spawnSync(process.execPath, [COMPARE, ...args], { encoding: 'utf8' });

  const unchanged = run(base, same);
  assert.equal(unchanged.status, 0, unchanged.stderr);
  assert.match(unchanged.stdout, /nothing moved/);

  const regressed = run(base, worse);
  assert.equal(regressed.status, 1);
  assert.match(regressed.stdout, /worse\s+http_req_duration\{key_expect:ok\} p\(99\)\s+20 -> 40 \(\+100\.0 %\)/);

  assert.equal(run('--tolerance', '1.5', base, worse).status, 0);
  assert.equal(run(base).status, 2);
  assert.equal(run(base, join(dir, 'missing.json')).status, 2);
});
