import http from 'k6/http';
import { check } from 'k6';
import { Counter, Rate } from 'k6/metrics';
import { parseMix, buildRequest, methodTags, pickWeighted } from './mix.js';
import { parseKeys } from './keys.js';
import { judge } from './answers.js';
import { settingsFrom } from './config.js';
import { distill, formatText, methodMetric, LATENCY_METRIC, TREND_STATS } from './summary.js';

export { preAllocatedVus, stressStages, spikeStages } from './config.js';

// The one module every scenario imports: reads the data files and the environment, sends the JSON-RPC mix
// through the gateway, records what the answers mean, and writes the summary. The logic it applies lives in
// the plain modules beside it (mix, keys, answers, config, summary), which Node tests.

// Custom metrics; every request is also tagged rpc_method (a method name, or "batch"), key_plan and key_expect.
const rpcErrors = new Rate('rpc_errors');
const rateLimited = new Counter('rate_limited');
const rateLimitedValid = new Rate('rate_limited_valid');
const rpcCalls = new Counter('rpc_calls');

// Where to send and what to read; the scenario's own settings (rate, duration, budgets) come in scenarioOptions.
const target = settingsFrom(__ENV, {});

// open() works only in the init context, so the data files are read here, once per VU. A default path is
// resolved against this module (import.meta.resolve), not against the scenario or the working directory.
const mix = parseMix(JSON.parse(open(target.methodsFile || import.meta.resolve('../data/methods.json'))));
const keys = parseKeys(JSON.parse(open(target.keysFile || import.meta.resolve('../data/keys.local.json'))));
const okKeys = keys.filter((k) => k.expect === 'ok');
const limitedKeys = keys.filter((k) => k.expect === 'limited');

// System tags without `url`: the URL carries the key's secret, which must reach no output or summary.
const SYSTEM_TAGS = ['proto', 'subproto', 'status', 'method', 'name', 'group', 'check', 'error', 'error_code',
  'tls_version', 'scenario', 'service', 'expected_response'];

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const ALSO_429 = http.expectedStatuses(200, 429);
const MAX_LOGGED_ERRORS = 5;

let lastId = 0;
let loggedErrors = 0;

/**
 * The k6 options of a scenario: its one executor (built by `executor(settings)`), the thresholds for its
 * budget, trend statistics with p(99), and no `url` tag. `defaults` are the scenario's settings unless the
 * environment overrides them (lib/config.js).
 */
export function scenarioOptions(name, defaults, executor) {
  const settings = settingsFrom(__ENV, defaults);
  const scenarios = {};
  scenarios[name] = executor(settings);
  return {
    scenarios,
    thresholds: thresholds(settings),
    summaryTrendStats: TREND_STATS,
    systemTags: SYSTEM_TAGS,
    discardResponseBodies: false,
  };
}

/** Thresholds of a scenario: error rate (expected 429s excluded), p95 and p99, and a well-formed refusal. */
function thresholds(settings) {
  const t = {
    rpc_errors: [`rate<=${settings.errorRate}`],
    [LATENCY_METRIC]: [`p(95)<${settings.p95Ms}`, `p(99)<${settings.p99Ms}`],
    // An arrival-rate run that drops iterations did not send the load it claims (too few VUs: raise MAX_VUS).
    dropped_iterations: ['count<1'],
  };
  if (limitedKeys.length > 0) {
    t.rate_limited = ['count>0'];
    t.rate_limited_valid = ['rate==1'];
  }
  // A threshold makes k6 keep the submetric, so every method's latency shows in the summary; the bound is
  // the scenario's p99 budget, which a single slow method should not exceed either.
  for (const tag of methodTags(mix)) {
    t[methodMetric(tag)] = [`p(99)<${settings.p99Ms}`];
  }
  return t;
}

/**
 * One iteration: a request of the mix, with a key drawn by weight, and its answer judged. The over-limit key's
 * well-formed 429s count as `rate_limited`, not as errors; any other answer that is not a full, error-free
 * result counts in `rpc_errors`.
 */
export function relay() {
  const key = pickWeighted(keys, Math.random());
  const sent = buildRequest(mix, Math.random, nextId);
  const params = {
    headers: JSON_HEADERS,
    tags: { name: `POST /v1/${target.chain}/{key}`, rpc_method: sent.tag, key_plan: key.plan, key_expect: key.expect },
  };
  if (key.expect === 'limited') {
    // Not set at all for other keys: a null callback would stop k6 from emitting http_req_failed for them.
    params.responseCallback = ALSO_429;
  }
  const res = http.post(`${target.baseUrl}/v1/${target.chain}/${key.secret}`, sent.body, params);
  rpcCalls.add(sent.ids.length);
  const verdict = judge(sent, key.expect, res.status, res.headers, res.body);
  const tags = { rpc_method: sent.tag, key_expect: key.expect };
  // The over-limit key's 429s are expected: checked for their form, never counted as errors.
  const expected429 = key.expect === 'limited' && res.status === 429;
  if (expected429) {
    rateLimited.add(1, tags);
    rateLimitedValid.add(verdict.outcome === 'limited', tags);
  }
  rpcErrors.add(!expected429 && verdict.outcome === 'error', tags);
  check(res, { 'answer as documented': () => verdict.outcome !== 'error' }, tags);
  if (verdict.outcome === 'error' && loggedErrors < MAX_LOGGED_ERRORS) {
    loggedErrors++;
    console.warn(`${sent.tag} on ${key.name} (${key.plan}): ${verdict.reason}`);
  }
}

/**
 * handleSummary for a scenario: prints the short report and writes the distilled summary to SUMMARY_FILE
 * (default `k6-<scenario>-<UTC time>.json` in the working directory) for compare.mjs.
 */
export function summaryWriter(name, defaults) {
  return function handleSummary(data) {
    const settings = settingsFrom(__ENV, defaults);
    const finishedAt = new Date().toISOString();
    const summary = distill(data, {
      scenario: name,
      target: `${settings.baseUrl}/v1/${settings.chain}`,
      finishedAt,
      settings: { rate: settings.rate, duration: settings.duration, vus: settings.vus, maxVus: settings.maxVus,
        p95Ms: settings.p95Ms, p99Ms: settings.p99Ms, errorRate: settings.errorRate, keys: keys.length,
        limitedKeys: limitedKeys.length, okKeys: okKeys.length },
    });
    const file = settings.summaryFile || `k6-${name}-${finishedAt.replace(/[-:]/g, '').replace(/\..*$/, '')}.json`;
    const out = { stdout: formatText(summary) + `  summary written to ${file}\n` };
    out[file] = JSON.stringify(summary, null, 2) + '\n';
    return out;
  };
}

function nextId() {
  lastId++;
  return lastId;
}
