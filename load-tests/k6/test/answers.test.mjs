import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerProblem, header, judge, rateLimitProblem } from '../lib/answers.js';

const SINGLE = { batch: false, ids: [7], methods: ['eth_call'], tag: 'eth_call' };
const BATCH = { batch: true, ids: [1, 2], methods: ['eth_call', 'eth_chainId'], tag: 'batch' };
const REFUSAL = (id, seconds) =>
  JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32005, message: 'rate limit exceeded', data: { retryAfterSeconds: seconds } } });

test('acceptsAResultThatEchoesTheId', () => {
  assert.equal(answerProblem(SINGLE, 200, '{"jsonrpc":"2.0","id":7,"result":"0x"}'), null);
  assert.equal(answerProblem(SINGLE, 200, '{"jsonrpc":"2.0","id":7,"result":null}'), null);
});

test('refusesAnAnswerWithAnotherIdOrAnError', () => {
  assert.match(answerProblem(SINGLE, 200, '{"jsonrpc":"2.0","id":8,"result":"0x"}'), /not echoed/);
  assert.match(answerProblem(SINGLE, 200, '{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"method not allowed for this key"}}'),
    /-32601 method not allowed/);
  assert.match(answerProblem(SINGLE, 502, '{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"upstream unavailable"}}'),
    /HTTP 502 \(-32603 upstream unavailable\)/);
  assert.match(answerProblem(SINGLE, 200, '<html>'), /not JSON/);
});

test('acceptsABatchAnsweredInAnyOrder', () => {
  assert.equal(answerProblem(BATCH, 200, '[{"jsonrpc":"2.0","id":2,"result":"0x1"},{"jsonrpc":"2.0","id":1,"result":"0x"}]'), null);
});

test('refusesABatchWithAMissingDuplicatedOrFailedCall', () => {
  assert.match(answerProblem(BATCH, 200, '[{"jsonrpc":"2.0","id":1,"result":"0x"}]'), /2 was answered with 1/);
  assert.match(answerProblem(BATCH, 200, '[{"jsonrpc":"2.0","id":1,"result":"0x"},{"jsonrpc":"2.0","id":1,"result":"0x"}]'), /answered twice/);
  assert.match(answerProblem(BATCH, 200, '[{"jsonrpc":"2.0","id":1,"result":"0x"},{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"x"}}]'), /JSON-RPC error/);
  assert.match(answerProblem(BATCH, 200, '{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"upstream unavailable"}}'), /one object/);
});

test('acceptsTheDocumentedRefusal', () => {
  assert.equal(rateLimitProblem(SINGLE, 429, { 'Retry-After': '3' }, REFUSAL(7, 3)), null);
  assert.equal(rateLimitProblem(BATCH, 429, { 'retry-after': '60' }, REFUSAL(null, 60)), null);
});

test('refusesARefusalThatDiffersFromTheDocumentedOne', () => {
  assert.match(rateLimitProblem(SINGLE, 200, {}, REFUSAL(7, 3)), /expected HTTP 429/);
  assert.match(rateLimitProblem(SINGLE, 429, {}, REFUSAL(7, 3)), /without Retry-After/);
  assert.match(rateLimitProblem(SINGLE, 429, { 'Retry-After': '0' }, REFUSAL(7, 0)), /at least 1/);
  assert.match(rateLimitProblem(SINGLE, 429, { 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' }, REFUSAL(7, 3)), /whole number/);
  assert.match(rateLimitProblem(SINGLE, 429, { 'Retry-After': '3' }, REFUSAL(8, 3)), /echoes id 8, expected 7/);
  assert.match(rateLimitProblem(BATCH, 429, { 'Retry-After': '3' }, REFUSAL(1, 3)), /expected null/);
  assert.match(rateLimitProblem(SINGLE, 429, { 'Retry-After': '3' }, REFUSAL(7, 4)), /differs from Retry-After 3/);
  assert.match(rateLimitProblem(SINGLE, 429, { 'Retry-After': '3' },
    '{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"x","data":{"retryAfterSeconds":3}}}'), /code -32603/);
  assert.match(rateLimitProblem(SINGLE, 429, { 'Retry-After': '3' }, 'Too Many Requests'), /not one JSON-RPC error/);
});

test('onlyTheOverLimitKeysRefusalsAreExpected', () => {
  assert.deepEqual(judge(SINGLE, 'limited', 429, { 'Retry-After': '3' }, REFUSAL(7, 3)), { outcome: 'limited', reason: null });
  assert.equal(judge(SINGLE, 'limited', 429, {}, REFUSAL(7, 3)).outcome, 'error');
  assert.equal(judge(SINGLE, 'ok', 429, { 'Retry-After': '3' }, REFUSAL(7, 3)).outcome, 'error');
  assert.equal(judge(SINGLE, 'limited', 200, {}, '{"jsonrpc":"2.0","id":7,"result":"0x"}').outcome, 'ok');
});

test('readsHeadersWhateverTheirCase', () => {
  assert.equal(header({ 'RETRY-AFTER': '2' }, 'Retry-After'), '2');
  assert.equal(header({}, 'Retry-After'), undefined);
});
