// Settings of a run, from environment variables over each scenario's defaults, and the load shapes built from
// them. Plain ECMAScript without any k6 API (tested in test/config.test.mjs). Every variable read here is
// documented in load-tests/README.md; check.mjs fails the build when one is not.

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]', '::1'];

/** The gateway's address when BASE_URL is not set: the local stack, on loopback. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

/**
 * The settings of one run. `__ENV` is k6's environment object (the parameter has its name so that every
 * variable the scripts read appears as `__ENV.NAME`, which check.mjs looks for); `defaults` are the scenario's
 * own: `{ rate, duration, vus, maxVus, p95Ms, p99Ms, errorRate, spikeFactor }`.
 */
export function settingsFrom(__ENV, defaults) {
  const baseUrl = stripSlash(__ENV.BASE_URL || DEFAULT_BASE_URL);
  const url = parseUrl(baseUrl, 'BASE_URL');
  if (!isLoopback(url.host) && __ENV.ALLOW_REMOTE !== 'true') {
    throw new Error(`BASE_URL ${baseUrl} is not on loopback: set ALLOW_REMOTE=true to load-test a remote gateway`);
  }
  return {
    baseUrl,
    chain: __ENV.CHAIN || 'anvil',
    keysFile: absoluteFile(__ENV.KEYS_FILE, 'KEYS_FILE'),
    methodsFile: absoluteFile(__ENV.METHODS_FILE, 'METHODS_FILE'),
    summaryFile: __ENV.SUMMARY_FILE || null,
    rate: positiveInteger(__ENV.RATE, defaults.rate, 'RATE'),
    duration: durationText(__ENV.DURATION, defaults.duration, 'DURATION'),
    vus: positiveInteger(__ENV.VUS, defaults.vus, 'VUS'),
    maxVus: positiveInteger(__ENV.MAX_VUS, defaults.maxVus || 200, 'MAX_VUS'),
    p95Ms: positiveNumber(__ENV.P95_MS, defaults.p95Ms, 'P95_MS'),
    p99Ms: positiveNumber(__ENV.P99_MS, defaults.p99Ms, 'P99_MS'),
    errorRate: fraction(__ENV.ERROR_RATE, defaults.errorRate, 'ERROR_RATE'),
    spikeFactor: positiveNumber(__ENV.SPIKE_FACTOR, defaults.spikeFactor, 'SPIKE_FACTOR'),
  };
}

/** Whether a URL host (as `new URL(...).host`, with port) names the loopback interface. */
export function isLoopback(host) {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return LOOPBACK_HOSTS.includes(name) || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** Seconds in a k6 duration such as "45s", "5m", "1h30m" or "90" (seconds). */
export function durationSeconds(text) {
  if (/^\d+$/.test(text)) {
    return Number(text);
  }
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (match === null || text === '') {
    throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 45s, 5m, 1h30m)`);
  }
  return Number(match[1] || 0) * 3600 + Number(match[2] || 0) * 60 + Number(match[3] || 0);
}

/** VUs to start with for an arrival-rate executor: enough for `rate` iterations/s at ~100 ms each, at most maxVus. */
export function preAllocatedVus(rate, maxVus) {
  return Math.min(maxVus, Math.max(2, Math.ceil(rate / 10)));
}

/**
 * Stress: ramping arrival rate in four equal steps of the normal rate (1x, 2x, 3x, 4x), each a quarter ramp and
 * three quarters plateau, over nine tenths of the duration; then down to nothing in the rest.
 */
export function stressStages(rate, durationText) {
  const total = durationSeconds(durationText);
  const step = Math.max(2, Math.round(total * 0.9 / 4));
  const ramp = Math.max(1, Math.round(step / 4));
  const stages = [];
  for (const factor of [1, 2, 3, 4]) {
    stages.push({ target: Math.round(rate * factor), duration: `${ramp}s` });
    stages.push({ target: Math.round(rate * factor), duration: `${step - ramp}s` });
  }
  stages.push({ target: 0, duration: `${Math.max(1, total - 4 * step)}s` });
  return stages;
}

/**
 * Spike: the normal rate for a fifth of the duration, a jump to `factor` × the rate within 10 s, held for a fifth,
 * back within 10 s, then the normal rate for the rest, which shows whether and how fast the gateway recovers.
 */
export function spikeStages(rate, durationText, factor) {
  const total = durationSeconds(durationText);
  const fifth = Math.max(1, Math.round(total / 5));
  const recover = Math.max(1, total - 2 * fifth - 20);
  return [
    { target: rate, duration: `${fifth}s` },
    { target: Math.round(rate * factor), duration: '10s' },
    { target: Math.round(rate * factor), duration: `${fifth}s` },
    { target: rate, duration: '10s' },
    { target: rate, duration: `${recover}s` },
  ];
}

function stripSlash(text) {
  return text.endsWith('/') ? text.slice(0, -1) : text;
}

function parseUrl(text, name) {
  const match = /^(https?):\/\/([^/?#]+)(\/[^?#]*)?$/.exec(text);
  if (match === null) {
    throw new Error(`${name} must be an http:// or https:// URL without query, got ${JSON.stringify(text)}`);
  }
  return { scheme: match[1], host: match[2], path: match[3] || '' };
}

function absoluteFile(text, name) {
  if (!text) {
    return null;
  }
  if (!text.startsWith('/') && !text.startsWith('file://')) {
    // k6 resolves a relative open() path against the script's folder, not the working directory: ambiguous.
    throw new Error(`${name} must be an absolute path (e.g. "$PWD/keys.json"), got ${JSON.stringify(text)}`);
  }
  return text;
}

function positiveNumber(text, fallback, name) {
  if (text === undefined || text === '') {
    return fallback;
  }
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value))) {
    throw new Error(`${name} must be a positive number, got ${JSON.stringify(text)}`);
  }
  return value;
}

function positiveInteger(text, fallback, name) {
  const value = positiveNumber(text, fallback, name);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  }
  return value;
}

function fraction(text, fallback, name) {
  if (text === undefined || text === '') {
    return fallback;
  }
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) {
    throw new Error(`${name} must be a number from 0 to 1, got ${JSON.stringify(text)}`);
  }
  return value;
}

function durationText(text, fallback, name) {
  if (text === undefined || text === '') {
    return fallback;
  }
  durationSeconds(text); // throws with the variable's value if it is not a duration
  if (durationSeconds(text) <= 0) {
    throw new Error(`${name} must be longer than 0 s, got ${JSON.stringify(text)}`);
  }
  return /^\d+$/.test(text) ? `${text}s` : text;
}
