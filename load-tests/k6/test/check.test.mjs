import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkK6Folder, dataFiles, envVariables, importProblems } from '../check.mjs';

const K6 = fileURLToPath(new URL('..', import.meta.url));
const README = join(K6, '..', 'README.md');

test('theK6ScriptsPassEveryCheck', () => {
  assert.deepEqual(checkK6Folder(K6, README), []);
});

/** A copy of the k6 folder and its README, with `change(folder)` applied. */
function brokenCopy(change) {
  const dir = mkdtempSync(join(tmpdir(), 'k6-check-'));
  const copy = join(dir, 'k6');
  cpSync(K6, copy, { recursive: true, filter: (src) => !src.includes('keys.local.json') });
  cpSync(README, join(dir, 'README.md'));
  change(copy, dir);
  try {
    return checkK6Folder(copy, join(dir, 'README.md'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function edit(file, from, to) {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} contains ${from}`);
  writeFileSync(file, text.replaceAll(from, to));
}

test('findsAScriptThatDoesNotParse', () => {
  const problems = brokenCopy((k6) => edit(join(k6, 'scenarios/smoke.js'), 'relay();', 'relay(;'));
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /scenarios\/smoke\.js: does not parse as an ES module/);
});

test('findsAnImportBelowOtherCodeAndARemoteModule', () => {
  const problems = brokenCopy((k6) => {
    edit(join(k6, 'scenarios/average.js'), 'export default function', "import { sleep } from 'k6';\nexport default function");
    edit(join(k6, 'scenarios/soak.js'), "from '../lib/relaygate.js';", "from '../lib/relaygate.js';\nimport { textSummary } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';");
  });
  assert.ok(problems.some((p) => /average\.js: import after other statements/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /soak\.js: imports https:\/\/jslib/.test(p)), problems.join('\n'));
});

test('findsAMissingDataFileAndAnUndocumentedVariable', () => {
  const problems = brokenCopy((k6, dir) => {
    edit(join(k6, 'lib/relaygate.js'), "'../data/methods.json'", "'../data/methodz.json'");
    edit(join(k6, 'lib/config.js'), "chain: __ENV.CHAIN || 'anvil',", "chain: __ENV.CHAIN || __ENV.NETWORK || 'anvil',");
    edit(join(dir, 'README.md'), 'k6/data/keys.local.json', 'the keys file');
  });
  assert.ok(problems.some((p) => /data file \.\.\/data\/methodz\.json .* neither exists nor is documented/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /data file \.\.\/data\/keys\.local\.json/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /environment variable NETWORK is not documented/.test(p)), problems.join('\n'));
});

test('findsAScenarioWithoutItsExportsAndAnInvalidMix', () => {
  const problems = brokenCopy((k6) => {
    edit(join(k6, 'scenarios/spike.js'), 'export const handleSummary', 'const handleSummary');
    edit(join(k6, 'data/methods.json'), '"weight": 30', '"weight": -1');
  });
  assert.ok(problems.some((p) => /spike\.js: does not export handleSummary/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /data\/methods\.json: method mix: calls\[0\]\.weight/.test(p)), problems.join('\n'));
});

test('readsImportsDataFilesAndVariablesFromSource', () => {
  assert.deepEqual(importProblems('a.js', "import http from 'k6/http';\nimport {\n  a,\n  b\n} from './b.js';\nexport const x = 1;\n"), []);
  assert.match(importProblems('a.js', "import _ from 'lodash';")[0], /imports lodash/);
  assert.match(importProblems('a.js', "const m = require('k6/http');")[0], /require/);
  assert.deepEqual(dataFiles("open('./a.json'); open(import.meta.resolve(\"../b.json\")); open(x);"), ['./a.json', '../b.json']);
  assert.deepEqual(envVariables("__ENV.RATE; __ENV['DURATION']; __ENV.RATE"), ['DURATION', 'RATE']);
  assert.match(envVariables('__ENV[name]')[0], /use __ENV\.NAME/);
});
