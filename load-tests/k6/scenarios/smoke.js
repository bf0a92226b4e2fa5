import { sleep } from 'k6';
import { relay, scenarioOptions, summaryWriter } from '../lib/relaygate.js';

// Smoke: one virtual user, about ten requests a second for a minute. Does every key, method and batch get
// the documented answer, and does the over-limit key get well-formed 429s? Run it before any heavier scenario.

const defaults = { vus: 1, duration: '1m', p95Ms: 300, p99Ms: 800, errorRate: 0 };

export const options = scenarioOptions('smoke', defaults, (s) => ({
  executor: 'constant-vus',
  vus: s.vus,
  duration: s.duration,
}));

export default function () {
  relay();
  sleep(0.1);
}

export const handleSummary = summaryWriter('smoke', defaults);
