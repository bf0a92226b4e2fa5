import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationSeconds, isLoopback, preAllocatedVus, settingsFrom, spikeStages, stressStages } from '../lib/config.js';

const DEFAULTS = { rate: 50, duration: '5m', p95Ms: 250, p99Ms: 600, errorRate: 0.001 };

test('targetsTheLocalGatewayByDefault', () => {
  const s = settingsFrom({}, DEFAULTS);
  assert.equal(s.baseUrl, 'http://127.0.0.1:8080');
  assert.equal(s.chain, 'anvil');
  assert.equal(s.rate, 50);
  assert.equal(s.duration, '5m');
  assert.equal(s.maxVus, 200);
  assert.equal(s.keysFile, null);
});

test('environmentOverridesTheScenarioDefaults', () => {
  const s = settingsFrom({ BASE_URL: 'http://localhost:18080/', RATE: '200', DURATION: '90', P95_MS: '40',
    ERROR_RATE: '0', KEYS_FILE: '/tmp/keys.json', CHAIN: 'eth-mainnet' }, DEFAULTS);
  assert.equal(s.baseUrl, 'http://localhost:18080');
  assert.equal(s.rate, 200);
  assert.equal(s.duration, '90s');
  assert.equal(s.p95Ms, 40);
  assert.equal(s.errorRate, 0);
  assert.equal(s.keysFile, '/tmp/keys.json');
  assert.equal(s.chain, 'eth-mainnet');
});

test('refusesARemoteTargetUnlessAllowed', () => {
  assert.throws(() => settingsFrom({ BASE_URL: 'https://gw.example.net' }, DEFAULTS), /ALLOW_REMOTE/);
  assert.equal(settingsFrom({ BASE_URL: 'https://gw.example.net', ALLOW_REMOTE: 'true' }, DEFAULTS).baseUrl,
    'https://gw.example.net');
  assert.ok(isLoopback('127.0.0.1:8080') && isLoopback('localhost') && isLoopback('[::1]:8080') && isLoopback('127.1.2.3'));
  assert.ok(!isLoopback('10.0.0.1:8080') && !isLoopback('localhost.example.net') && !isLoopback('[::2]:80'));
});

test('refusesBadValuesNamingTheVariable', () => {
  assert.throws(() => settingsFrom({ RATE: 'fast' }, DEFAULTS), /RATE/);
  assert.throws(() => settingsFrom({ RATE: '2.5' }, DEFAULTS), /RATE must be a whole number/);
  assert.throws(() => settingsFrom({ DURATION: '5 minutes' }, DEFAULTS), /not a duration/);
  assert.throws(() => settingsFrom({ ERROR_RATE: '5' }, DEFAULTS), /ERROR_RATE/);
  assert.throws(() => settingsFrom({ KEYS_FILE: 'keys.json' }, DEFAULTS), /KEYS_FILE must be an absolute path/);
  assert.throws(() => settingsFrom({ BASE_URL: 'ftp://127.0.0.1' }, DEFAULTS), /BASE_URL/);
});

test('readsK6Durations', () => {
  assert.equal(durationSeconds('45s'), 45);
  assert.equal(durationSeconds('5m'), 300);
  assert.equal(durationSeconds('1h30m'), 5400);
  assert.equal(durationSeconds('90'), 90);
  assert.throws(() => durationSeconds(''), /not a duration/);
});

test('stressClimbsInStepsOfTheRateAndLastsTheDuration', () => {
  const stages = stressStages(50, '10m');
  assert.deepEqual([...new Set(stages.map((s) => s.target))], [50, 100, 150, 200, 0]);
  assert.equal(stages.reduce((t, s) => t + durationSeconds(s.duration), 0), 600);
});

test('spikeJumpsToTheFactorAndReturnsToTheRate', () => {
  const stages = spikeStages(50, '5m', 8);
  assert.equal(Math.max(...stages.map((s) => s.target)), 400);
  assert.equal(stages[stages.length - 1].target, 50);
  assert.equal(stages.reduce((t, s) => t + durationSeconds(s.duration), 0), 300);
});

test('preAllocatesVusWithinTheMaximum', () => {
  assert.equal(preAllocatedVus(50, 200), 5);
  assert.equal(preAllocatedVus(5000, 200), 200);
  assert.equal(preAllocatedVus(1, 200), 2);
});
