// The keys file written by provision.mjs: which API keys the virtual users call with, on which plans, and which
// key is meant to run over its limit. Plain ECMAScript without any k6 API (tested in test/keys.test.mjs).

/** What a key is expected to meet: "ok" keys stay within their plan; a "limited" key is meant to get 429s. */
export const EXPECTATIONS = ['ok', 'limited'];

/**
 * Checks a keys file (`{ keys: [{name, secret, plan, expect, weight}] }`) and returns its keys.
 * Throws an Error naming the first problem, never quoting a secret.
 */
export function parseKeys(json) {
  if (json === null || typeof json !== 'object' || !Array.isArray(json.keys) || json.keys.length === 0) {
    throw new Error('keys file: "keys" must be a non-empty array (run provision.mjs first)');
  }
  const keys = json.keys.map((key, i) => {
    const where = `keys file: keys[${i}]`;
    if (key === null || typeof key !== 'object') {
      throw new Error(`${where} must be an object`);
    }
    if (typeof key.name !== 'string' || key.name.length === 0) {
      throw new Error(`${where}.name must be a non-empty string`);
    }
    if (typeof key.secret !== 'string' || !/^[A-Za-z0-9_-]+$/.test(key.secret)) {
      throw new Error(`${where}.secret must be a key secret (letters, digits, _ and -) (${key.name})`);
    }
    if (typeof key.plan !== 'string' || key.plan.length === 0) {
      throw new Error(`${where}.plan must be a non-empty string (${key.name})`);
    }
    if (!EXPECTATIONS.includes(key.expect)) {
      throw new Error(`${where}.expect must be one of ${EXPECTATIONS.join(', ')} (${key.name})`);
    }
    if (!(typeof key.weight === 'number' && key.weight > 0 && Number.isFinite(key.weight))) {
      throw new Error(`${where}.weight must be a positive number (${key.name})`);
    }
    return { name: key.name, secret: key.secret, plan: key.plan, expect: key.expect, weight: key.weight };
  });
  if (!keys.some((k) => k.expect === 'ok')) {
    throw new Error('keys file: at least one key must have expect "ok"');
  }
  return keys;
}
