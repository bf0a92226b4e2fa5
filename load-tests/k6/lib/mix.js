// The JSON-RPC method mix: which calls a virtual user sends, how often, and how many go in batches.
// Plain ECMAScript without any k6 API, so that k6 runs it as written and Node tests it (test/mix.test.mjs).

/**
 * Checks a method mix as read from data/methods.json and returns it ready for drawing:
 * `{ calls: [{method, params, weight}], batches: {share, minSize, maxSize} | null }`.
 * Throws an Error naming the first problem found.
 */
export function parseMix(json) {
  if (json === null || typeof json !== 'object' || !Array.isArray(json.calls) || json.calls.length === 0) {
    throw new Error('method mix: "calls" must be a non-empty array');
  }
  const calls = json.calls.map((call, i) => {
    const where = `method mix: calls[${i}]`;
    if (call === null || typeof call !== 'object') {
      throw new Error(`${where} must be an object`);
    }
    if (typeof call.method !== 'string' || call.method.length === 0) {
      throw new Error(`${where}.method must be a non-empty string`);
    }
    if (!(Array.isArray(call.params) || (call.params !== null && typeof call.params === 'object'))) {
      throw new Error(`${where}.params must be an array or an object (${call.method})`);
    }
    if (!(typeof call.weight === 'number' && call.weight > 0 && Number.isFinite(call.weight))) {
      throw new Error(`${where}.weight must be a positive number (${call.method})`);
    }
    return { method: call.method, params: call.params, weight: call.weight };
  });
  let batches = null;
  if (json.batches !== undefined && json.batches !== null) {
    const b = json.batches;
    if (!(typeof b.share === 'number' && b.share >= 0 && b.share <= 1)) {
      throw new Error('method mix: batches.share must be a number from 0 to 1');
    }
    if (!(Number.isInteger(b.minSize) && b.minSize >= 2)) {
      throw new Error('method mix: batches.minSize must be an integer of at least 2');
    }
    if (!(Number.isInteger(b.maxSize) && b.maxSize >= b.minSize)) {
      throw new Error('method mix: batches.maxSize must be an integer of at least minSize');
    }
    batches = { share: b.share, minSize: b.minSize, maxSize: b.maxSize };
  }
  return { calls, batches };
}

/** Draws one item of `items` (each with a positive `weight`) with probability weight / total; `r` is in [0, 1). */
export function pickWeighted(items, r) {
  let total = 0;
  for (const item of items) {
    total += item.weight;
  }
  let point = r * total;
  for (const item of items) {
    point -= item.weight;
    if (point < 0) {
      return item;
    }
  }
  return items[items.length - 1];
}

/**
 * Builds the next HTTP request of the mix: a single call, or with probability `batches.share` a batch of
 * minSize..maxSize calls drawn from the same weights. `random` returns numbers in [0, 1); `nextId` returns a
 * fresh JSON-RPC id. Returns `{ body, batch, ids, methods, tag }`; `tag` is the method name, or "batch".
 */
export function buildRequest(mix, random, nextId) {
  if (mix.batches !== null && mix.batches.share > 0 && random() < mix.batches.share) {
    const span = mix.batches.maxSize - mix.batches.minSize + 1;
    const size = mix.batches.minSize + Math.floor(random() * span);
    const calls = [];
    for (let i = 0; i < size; i++) {
      calls.push(callOf(pickWeighted(mix.calls, random()), nextId()));
    }
    return {
      body: JSON.stringify(calls),
      batch: true,
      ids: calls.map((c) => c.id),
      methods: calls.map((c) => c.method),
      tag: 'batch',
    };
  }
  const call = callOf(pickWeighted(mix.calls, random()), nextId());
  return { body: JSON.stringify(call), batch: false, ids: [call.id], methods: [call.method], tag: call.method };
}

/** Every value the `rpc_method` tag can take for this mix: each method once, then "batch" if the mix has batches. */
export function methodTags(mix) {
  const tags = [];
  for (const call of mix.calls) {
    if (!tags.includes(call.method)) {
      tags.push(call.method);
    }
  }
  if (mix.batches !== null && mix.batches.share > 0) {
    tags.push('batch');
  }
  return tags;
}

function callOf(entry, id) {
  return { jsonrpc: '2.0', id, method: entry.method, params: entry.params };
}
