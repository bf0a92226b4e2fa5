import { relay, scenarioOptions, summaryWriter, preAllocatedVus } from '../lib/relaygate.js';

// Average load: the normal production rate (RATE requests/s) held for DURATION with a constant arrival rate, so
// a slower gateway shows as latency, not as fewer requests. The baseline the other scenarios compare against.

const defaults = { rate: 50, duration: '5m', p95Ms: 250, p99Ms: 600, errorRate: 0.001 };

export const options = scenarioOptions('average', defaults, (s) => ({
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

export const handleSummary = summaryWriter('average', defaults);
