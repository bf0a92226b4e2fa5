import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildRequest, methodTags, parseMix, pickWeighted } from '../lib/mix.js';

const MIX = parseMix({
  calls: [
    { method: 'eth_call', params: [], weight: 3 },
    { method: 'eth_blockNumber', params: [], weight: 1 },
  ],
  batches: { share: 0.25, minSize: 2, maxSize: 4 },
});

function seeded(seed) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function counter() {
  let id = 0;
  return () => ++id;
}

test('drawsEachCallInProportionToItsWeight', () => {
  const random = seeded(7);
  const counts = { eth_call: 0, eth_blockNumber: 0 };
  for (let i = 0; i < 20000; i++) {
    counts[pickWeighted(MIX.calls, random()).method]++;
  }
  assert.ok(Math.abs(counts.eth_call / 20000 - 0.75) < 0.02, JSON.stringify(counts));
});

test('pickWeightedCoversTheWholeUnitInterval', () => {
  assert.equal(pickWeighted(MIX.calls, 0).method, 'eth_call');
  assert.equal(pickWeighted(MIX.calls, 0.7499).method, 'eth_call');
  assert.equal(pickWeighted(MIX.calls, 0.75).method, 'eth_blockNumber');
  assert.equal(pickWeighted(MIX.calls, 0.999999).method, 'eth_blockNumber');
});

test('sendsTheConfiguredShareAsBatchesOfTheConfiguredSizes', () => {
  const random = seeded(11);
  const next = counter();
  let batches = 0;
  const sizes = new Set();
  for (let i = 0; i < 10000; i++) {
    const request = buildRequest(MIX, random, next);
    if (request.batch) {
      batches++;
      sizes.add(request.ids.length);
      assert.equal(request.tag, 'batch');
    }
  }
  assert.ok(Math.abs(batches / 10000 - 0.25) < 0.02, `${batches} batches`);
  assert.deepEqual([...sizes].sort(), [2, 3, 4]);
});

test('buildsValidJsonRpcWithFreshIds', () => {
  const next = counter();
  const single = buildRequest(MIX, () => 0.9, next);
  assert.equal(single.batch, false);
  assert.deepEqual(JSON.parse(single.body), { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] });
  const batch = buildRequest(MIX, seeded(3), next);
  const all = [single, batch, buildRequest(MIX, () => 0.1, next)].flatMap((r) => r.ids);
  assert.equal(new Set(all).size, all.length);
});

test('aBatchIsAnArrayOfCallsWhoseIdsAndMethodsAreRecorded', () => {
  const next = counter();
  const request = buildRequest(MIX, () => 0.1, next); // 0.1 < share: a batch of minSize + floor(0.1 * 3) = 2
  const body = JSON.parse(request.body);
  assert.ok(Array.isArray(body));
  assert.deepEqual(body.map((c) => c.id), request.ids);
  assert.deepEqual(body.map((c) => c.method), request.methods);
  assert.ok(body.every((c) => c.jsonrpc === '2.0'));
});

test('listsEveryMethodTagOnceAndBatchLast', () => {
  assert.deepEqual(methodTags(MIX), ['eth_call', 'eth_blockNumber', 'batch']);
  assert.deepEqual(methodTags(parseMix({ calls: [{ method: 'a', params: [], weight: 1 }] })), ['a']);
});

test('refusesMalformedMixesWithTheReason', () => {
  assert.throws(() => parseMix({ calls: [] }), /non-empty array/);
  assert.throws(() => parseMix({ calls: [{ method: 'a', params: [], weight: 0 }] }), /weight/);
  assert.throws(() => parseMix({ calls: [{ method: 'a', params: 'x', weight: 1 }] }), /params/);
  assert.throws(() => parseMix({ calls: [{ method: 'a', params: [], weight: 1 }], batches: { share: 2, minSize: 2, maxSize: 3 } }), /share/);
  assert.throws(() => parseMix({ calls: [{ method: 'a', params: [], weight: 1 }], batches: { share: 0.1, minSize: 3, maxSize: 2 } }), /maxSize/);
});

test('theShippedMixIsValidAndUsesOnlyStandardMethods', () => {
  const mix = parseMix(JSON.parse(readFileSync(new URL('../data/methods.json', import.meta.url), 'utf8')));
  assert.ok(mix.calls.length >= 10);
  assert.ok(mix.calls.every((c) => !/^(debug|trace|admin|personal|miner|txpool)_/.test(c.method)));
  assert.ok(mix.batches.share > 0);
});
