import { relay, scenarioOptions, summaryWriter, preAllocatedVus, spikeStages } from '../lib/relaygate.js';

// Spike: the normal rate (RATE), then SPIKE_FACTOR times that within 10 s, held, and back. Does the gateway
// absorb the jump, and how fast does latency return to normal afterwards?

const defaults = { rate: 50, duration: '5m', spikeFactor: 8, p95Ms: 1500, p99Ms: 3000, errorRate: 0.05 };

export const options = scenarioOptions('spike', defaults, (s) => ({
  executor: 'ramping-arrival-rate',
  startRate: s.rate,
  timeUnit: '1s',
  stages: spikeStages(s.rate, s.duration, s.spikeFactor),
  preAllocatedVUs: preAllocatedVus(s.rate * s.spikeFactor, s.maxVus),
  maxVUs: s.maxVus,
}));

export default function () {
  relay();
}

export const handleSummary = summaryWriter('spike', defaults);
