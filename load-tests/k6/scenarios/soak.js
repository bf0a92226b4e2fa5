import { relay, scenarioOptions, summaryWriter, preAllocatedVus } from '../lib/relaygate.js';

// Soak: a moderate constant arrival rate (RATE) for hours. Leaks, growing caches, connection churn and slow
// drifts show up here; compare its summary with an average-load run of the same build.

const defaults = { rate: 30, duration: '2h', p95Ms: 250, p99Ms: 600, errorRate: 0.001 };

export const options = scenarioOptions('soak', defaults, (s) => ({
  executor: 'constant-arrival-rate',
  rate: s.rate,
  timeUnit: '1s',
  duration: s.duration,
  preAllocatedVUs: preAllocatedVus(s.rate, s.maxVus),
  maxVUs: s.maxVus,
}));

export default function () {
  relay();
}

export const handleSummary = summaryWriter('soak', defaults);
