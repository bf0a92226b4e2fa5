// The end-of-test summary: what handleSummary keeps of k6's data (a JSON file for later comparison), how it is
// printed, and how two summaries are compared (compare.mjs). Plain ECMAScript without any k6 API (tested in
// test/summary.test.mjs).

/** The format marker of a summary file; compare.mjs refuses other files. */
export const SUMMARY_FORMAT = 'relaygate-k6-summary/1';

/** Trend statistics k6 computes (options.summaryTrendStats); p(99) is not among k6's defaults. */
export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

/** The latency of keys within their limit: what the scenarios' p95/p99 thresholds hold. */
export const LATENCY_METRIC = 'http_req_duration{key_expect:ok}';

/** The per-method latency submetric for an `rpc_method` tag value (keys within their limit only). */
export function methodMetric(tag) {
  return `http_req_duration{key_expect:ok,rpc_method:${tag}}`;
}

/** Metrics whose higher value is better; for every other rate and trend lower is better. */
const HIGHER_IS_BETTER = ['checks', 'rate_limited_valid', 'http_reqs', 'iterations', 'rpc_calls'];

/** Counters compared by their rate, lower being better. Other counters (bytes, refusals) are reported as changed. */
const LOWER_IS_BETTER_COUNTERS = ['dropped_iterations'];

/** Statistics compared per metric type. */
const COMPARED = { trend: ['med', 'p(95)', 'p(99)'], rate: ['rate'], counter: ['rate'] };

/**
 * Keeps what a later comparison needs from k6's handleSummary data: every metric's values, every threshold's
 * verdict, and `meta` (`{ scenario, target, finishedAt, settings }`; never a key secret).
 */
export function distill(data, meta) {
  const metrics = {};
  const thresholds = {};
  let passed = true;
  for (const name of Object.keys(data.metrics).sort()) {
    const metric = data.metrics[name];
    metrics[name] = { type: metric.type, contains: metric.contains, values: Object.assign({}, metric.values) };
    if (metric.thresholds) {
      thresholds[name] = {};
      for (const expression of Object.keys(metric.thresholds)) {
        const ok = metric.thresholds[expression].ok === true;
        thresholds[name][expression] = ok;
        passed = passed && ok;
      }
    }
  }
  return {
    format: SUMMARY_FORMAT,
    scenario: meta.scenario,
    target: meta.target,
    finishedAt: meta.finishedAt,
    settings: meta.settings,
    durationMs: data.state && typeof data.state.testRunDurationMs === 'number' ? data.state.testRunDurationMs : null,
    passed,
    thresholds,
    metrics,
  };
}

/** A short human-readable report of a distilled summary, for the end of a k6 run. */
export function formatText(summary) {
  const lines = [];
  const seconds = summary.durationMs === null ? '?' : (summary.durationMs / 1000).toFixed(1);
  lines.push(`Relaygate k6 ${summary.scenario} against ${summary.target} (${seconds} s): ` +
      (summary.passed ? 'all thresholds passed' : 'THRESHOLDS FAILED'));
  const reqs = value(summary, 'http_reqs', 'count');
  lines.push(`  requests          ${fmt(reqs, 0)} (${fmt(value(summary, 'http_reqs', 'rate'), 1)}/s), ` +
      `${fmt(value(summary, 'rpc_calls', 'count'), 0)} calls, ${fmt(value(summary, 'dropped_iterations', 'count') || 0, 0)} dropped iterations`);
  lines.push(`  errors            ${pct(value(summary, 'rpc_errors', 'rate'))} (expected 429s of the over-limit key excluded)`);
  const refused = value(summary, 'rate_limited', 'count');
  if (refused !== undefined || summary.metrics.rate_limited_valid) {
    lines.push(`  over-limit key    ${fmt(refused || 0, 0)} refusals, ${pct(value(summary, 'rate_limited_valid', 'rate'))} well formed`);
  }
  lines.push(`  latency (ok keys) ${trendText(summary, LATENCY_METRIC)}`);
  const prefix = methodMetric('').slice(0, -1); // without the closing brace
  const methods = Object.keys(summary.metrics).filter((name) => name.startsWith(prefix)).sort();
  for (const name of methods) {
    const tag = name.slice(prefix.length, -1);
    lines.push(`    ${pad(tag, 28)} ${trendText(summary, name)}`);
  }
  const failed = [];
  let count = 0;
  for (const name of Object.keys(summary.thresholds)) {
    for (const expression of Object.keys(summary.thresholds[name])) {
      count++;
      if (!summary.thresholds[name][expression]) {
        failed.push(`    FAILED ${name} ${expression}`);
      }
    }
  }
  lines.push(`  thresholds        ${count - failed.length} of ${count} passed`);
  return lines.concat(failed).join('\n') + '\n';
}

/**
 * Compares two distilled summaries. A statistic "moved" when it changed by more than `tolerance` (relative, for
 * latencies and throughput; at least `minMs` for latencies) or `rateTolerance` (absolute, for rates such as the
 * error rate). Returns `{ warnings, rows }`, each row `{ metric, stat, base, current, change, verdict }` with
 * verdict "worse", "better", "changed" (no better direction), "same", or "only in base"/"only in current".
 */
export function compare(base, current, options) {
  const opts = Object.assign({ tolerance: 0.1, rateTolerance: 0.001, minMs: 0.5 }, options || {});
  for (const [label, summary] of [['base', base], ['current', current]]) {
    if (summary === null || typeof summary !== 'object' || summary.format !== SUMMARY_FORMAT) {
      throw new Error(`${label} is not a Relaygate k6 summary (format ${SUMMARY_FORMAT})`);
    }
  }
  const warnings = [];
  if (base.scenario !== current.scenario) {
    warnings.push(`different scenarios: ${base.scenario} vs ${current.scenario}`);
  }
  if (base.target !== current.target) {
    warnings.push(`different targets: ${base.target} vs ${current.target}`);
  }
  const rows = [];
  const names = Array.from(new Set(Object.keys(base.metrics).concat(Object.keys(current.metrics)))).sort();
  for (const name of names) {
    const a = base.metrics[name];
    const b = current.metrics[name];
    const type = (a || b).type;
    const stats = COMPARED[type];
    if (stats === undefined) {
      continue;
    }
    if (a === undefined || b === undefined) {
      rows.push({ metric: name, stat: '', base: null, current: null, change: null,
        verdict: a === undefined ? 'only in current' : 'only in base' });
      continue;
    }
    for (const stat of stats) {
      const x = a.values[stat];
      const y = b.values[stat];
      if (typeof x !== 'number' || typeof y !== 'number') {
        continue;
      }
      rows.push({ metric: name, stat, base: x, current: y, change: y - x,
        verdict: verdict(name, type, x, y, opts, a.contains === 'time') });
    }
  }
  return { warnings, rows };
}

/** The comparison as text: warnings, then the moved rows (all rows when `all`), worst first. */
export function formatComparison(result, all) {
  const order = { worse: 0, better: 1, changed: 2, 'only in base': 3, 'only in current': 4, same: 5 };
  const rows = result.rows.filter((r) => all || r.verdict !== 'same')
    .sort((r, s) => order[r.verdict] - order[s.verdict] || (r.metric < s.metric ? -1 : r.metric > s.metric ? 1 : 0));
  const lines = result.warnings.map((w) => `warning: ${w}`);
  if (rows.length === 0) {
    lines.push('nothing moved beyond the tolerances');
  }
  for (const r of rows) {
    const what = r.stat === '' ? r.metric : `${r.metric} ${r.stat}`;
    if (r.base === null) {
      lines.push(`${pad(r.verdict, 16)} ${what}`);
      continue;
    }
    const relative = r.base === 0 ? '' : ` (${r.change >= 0 ? '+' : ''}${(100 * r.change / r.base).toFixed(1)} %)`;
    lines.push(`${pad(r.verdict, 16)} ${pad(what, 64)} ${number(r.base)} -> ${number(r.current)}${relative}`);
  }
  return lines.join('\n') + '\n';
}

function verdict(name, type, x, y, opts, isTime) {
  const bare = name.split('{')[0];
  let moved;
  if (type === 'rate') {
    moved = Math.abs(y - x) > opts.rateTolerance;
  } else {
    moved = Math.abs(y - x) > opts.tolerance * Math.abs(x) && !(isTime && Math.abs(y - x) < opts.minMs);
  }
  if (!moved) {
    return 'same';
  }
  if (type === 'counter' && !HIGHER_IS_BETTER.includes(bare) && !LOWER_IS_BETTER_COUNTERS.includes(bare)) {
    return 'changed';
  }
  const higherIsBetter = HIGHER_IS_BETTER.includes(bare);
  return (y > x) === higherIsBetter ? 'better' : 'worse';
}

function value(summary, name, stat) {
  const metric = summary.metrics[name];
  return metric === undefined ? undefined : metric.values[stat];
}

function trendText(summary, name) {
  const metric = summary.metrics[name];
  if (metric === undefined) {
    return 'no samples';
  }
  const v = metric.values;
  return `med ${fmt(v.med, 1)} ms   p95 ${fmt(v['p(95)'], 1)} ms   p99 ${fmt(v['p(99)'], 1)} ms`;
}

function fmt(x, digits) {
  return typeof x === 'number' ? x.toFixed(digits) : '-';
}

function pct(x) {
  return typeof x === 'number' ? `${(100 * x).toFixed(2)} %` : '-';
}

function number(x) {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

function pad(text, width) {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
