import { relay, scenarioOptions, summaryWriter, preAllocatedVus, stressStages } from '../lib/relaygate.js';

// Stress: the arrival rate climbs in steps of RATE (1x, 2x, 3x, 4x), each held, over DURATION, then stops.
// Where do latency and errors start to grow? Budgets are looser than for average load.

const defaults = { rate: 50, duration: '10m', p95Ms: 800, p99Ms: 2000, errorRate: 0.01 };

export const options = scenarioOptions('stress', defaults, (s) => ({
  executor: 'ramping-arrival-rate',
  startRate: 0,
  timeUnit: '1s',
  stages: stressStages(s.rate, s.duration),
  preAllocatedVUs: preAllocatedVus(4 * s.rate, s.maxVus),
  maxVUs: s.maxVus,
}));

export default function () {
  relay();
}

export const handleSummary = summaryWriter('stress', defaults);
