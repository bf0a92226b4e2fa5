// Judges the gateway's answers: a relayed answer must carry a result for every id sent; a rate-limit refusal
// must be the documented one (docs/json-rpc-errors.md, docs/rate-limiting.md). Plain ECMAScript without any
// k6 API (tested in test/answers.test.mjs).

/** The JSON-RPC code of a rate-limit refusal (JsonRpcErrorCode.RATE_LIMITED). */
export const RATE_LIMITED_CODE = -32005;

/**
 * What an answer to `sent` (from mix.buildRequest) means for a key that expects `expect` ("ok" or "limited"):
 * `{ outcome: "ok" | "limited" | "error", reason }`. Only a 429 on a "limited" key is "limited", and only if it
 * is well formed; everything else that is not a full, error-free answer is "error" with a short reason.
 */
export function judge(sent, expect, status, headers, body) {
  if (status === 429 && expect === 'limited') {
    const reason = rateLimitProblem(sent, status, headers, body);
    return { outcome: reason === null ? 'limited' : 'error', reason };
  }
  const reason = answerProblem(sent, status, body);
  return { outcome: reason === null ? 'ok' : 'error', reason };
}

/**
 * Why an answer to `sent` is not a full, error-free JSON-RPC answer, or null if it is: HTTP 200, and a result
 * echoing the id of the single call, or an array with one result per call of the batch, each id once.
 */
export function answerProblem(sent, status, body) {
  if (status !== 200) {
    return `HTTP ${status}${errorSuffix(parse(body))}`;
  }
  const answer = parse(body);
  if (answer === undefined) {
    return 'body is not JSON';
  }
  if (!sent.batch) {
    if (Array.isArray(answer) || answer === null || typeof answer !== 'object') {
      return 'a single call was not answered with one object';
    }
    return callProblem(answer, sent.ids[0]);
  }
  if (!Array.isArray(answer)) {
    return `a batch of ${sent.ids.length} was answered with one object${errorSuffix(answer)}`;
  }
  if (answer.length !== sent.ids.length) {
    return `a batch of ${sent.ids.length} was answered with ${answer.length} answers`;
  }
  const open = new Set(sent.ids);
  for (const element of answer) {
    if (element === null || typeof element !== 'object' || !open.has(element.id)) {
      return `batch answer with an id not sent or answered twice: ${JSON.stringify(element && element.id)}`;
    }
    open.delete(element.id);
    const problem = callProblem(element, element.id);
    if (problem !== null) {
      return problem;
    }
  }
  return null;
}

/**
 * Why a 429 is not the documented rate-limit refusal, or null if it is: status 429; `Retry-After` a whole
 * number of seconds of at least 1; one JSON-RPC error object (also for a batch, refused whole) with code
 * -32005, the id echoed (null for a batch) and `data.retryAfterSeconds` equal to `Retry-After`.
 */
export function rateLimitProblem(sent, status, headers, body) {
  if (status !== 429) {
    return `expected HTTP 429, got ${status}`;
  }
  const retryAfter = header(headers, 'Retry-After');
  if (retryAfter === undefined) {
    return '429 without Retry-After';
  }
  if (!/^[0-9]+$/.test(retryAfter) || Number(retryAfter) < 1) {
    return `Retry-After is not a whole number of seconds of at least 1: ${JSON.stringify(retryAfter)}`;
  }
  const answer = parse(body);
  if (answer === undefined || answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
    return '429 body is not one JSON-RPC error object';
  }
  if (answer.jsonrpc !== '2.0' || answer.error === null || typeof answer.error !== 'object') {
    return '429 body is not a JSON-RPC 2.0 error';
  }
  if (answer.error.code !== RATE_LIMITED_CODE) {
    return `429 with JSON-RPC code ${answer.error.code}, expected ${RATE_LIMITED_CODE}`;
  }
  const expectedId = sent.batch ? null : sent.ids[0];
  if (!('id' in answer) || answer.id !== expectedId) {
    return `429 echoes id ${JSON.stringify(answer.id)}, expected ${JSON.stringify(expectedId)}`;
  }
  const data = answer.error.data;
  if (data === null || typeof data !== 'object' || data.retryAfterSeconds !== Number(retryAfter)) {
    return `429 data.retryAfterSeconds ${JSON.stringify(data && data.retryAfterSeconds)} differs from Retry-After ${retryAfter}`;
  }
  return null;
}

/** A header's value by case-insensitive name (k6 canonicalises names; this does not depend on it). */
export function header(headers, name) {
  if (headers === null || typeof headers !== 'object') {
    return undefined;
  }
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === wanted) {
      return headers[key];
    }
  }
  return undefined;
}

function callProblem(answer, id) {
  if (answer.id !== id) {
    return `id ${JSON.stringify(id)} not echoed (got ${JSON.stringify(answer.id)})`;
  }
  if (answer.error !== undefined) {
    return `JSON-RPC error${errorSuffix(answer)}`;
  }
  if (!('result' in answer)) {
    return `answer to id ${JSON.stringify(id)} has neither result nor error`;
  }
  return null;
}

function errorSuffix(answer) {
  if (answer && typeof answer === 'object' && !Array.isArray(answer) && answer.error && typeof answer.error === 'object') {
    return ` (${answer.error.code} ${answer.error.message})`;
  }
  return '';
}

function parse(body) {
  if (typeof body !== 'string') {
    return undefined;
  }
  try {
    return JSON.parse(body);
  } catch (e) {
    return undefined;
  }
}
