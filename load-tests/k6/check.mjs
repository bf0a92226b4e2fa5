#!/usr/bin/env node
// Static checks of the k6 scripts, run by `./mvnw verify` (test/check.test.mjs, through K6ScriptsTest) since k6
// itself is not installed in CI. For every script under scenarios/ and lib/:
//  - it parses as an ECMAScript module (`node --check`, this folder's package.json says "type": "module");
//  - its imports come first and name only k6 modules or relative .js files (no bundler, no npm package, no
//    remote module: k6 would fetch it over the network);
//  - every data file it names (`open('…')`, `import.meta.resolve('…')`) exists, or is documented in
//    load-tests/README.md as written by provision.mjs;
//  - every environment variable it reads (`__ENV.NAME`) is documented in load-tests/README.md;
// every scenario exports options, a default function and handleSummary; and the data files are valid.
//
//   node load-tests/k6/check.mjs [folder]     # prints the problems and exits 1 if there are any

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMix } from './lib/mix.js';
import { parseKeys } from './lib/keys.js';

const K6_MODULE = /^k6(\/[a-z0-9/_-]+)?$/;
const RELATIVE_JS = /^\.\.?\/[^?#]*\.js$/;

/** The problems of the k6 folder `root` whose README is `readme` (a file path), as sentences; empty if none. */
export function checkK6Folder(root, readme) {
  const problems = [];
  const docs = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
  if (docs === '') {
    problems.push(`${readme}: missing or empty`);
  }
  const scripts = ['scenarios', 'lib'].flatMap((dir) => listJs(join(root, dir)));
  if (!scripts.some((f) => f.includes(`${join(root, 'scenarios')}`))) {
    problems.push(`${root}: no scenarios/*.js`);
  }
  for (const file of scripts) {
    const name = relative(root, file);
    const source = readFileSync(file, 'utf8');
    const parsed = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    if (parsed.status !== 0) {
      problems.push(`${name}: does not parse as an ES module: ${firstLines(parsed.stderr)}`);
      continue;
    }
    const code = stripComments(source);
    problems.push(...importProblems(name, code));
    for (const path of dataFiles(code)) {
      const target = resolve(dirname(file), path);
      const documented = docs.includes(relative(dirname(readme), target));
      if (!existsSync(target) && !documented) {
        problems.push(`${name}: data file ${path} (${relative(root, target)}) neither exists nor is documented`);
      }
    }
    for (const variable of envVariables(code)) {
      if (!docs.includes(`\`${variable}\``)) {
        problems.push(`${name}: environment variable ${variable} is not documented in ${relative(root, readme)}`);
      }
    }
    if (file.includes(`${join(root, 'scenarios')}`)) {
      for (const [what, pattern] of [['options', /export\s+const\s+options\b/],
        ['a default function', /export\s+default\s+function\b/],
        ['handleSummary', /export\s+(const|function)\s+handleSummary\b/]]) {
        if (!pattern.test(code)) {
          problems.push(`${name}: does not export ${what}`);
        }
      }
    }
  }
  problems.push(...dataProblems(root));
  return problems;
}

/** Import declarations must come first and name k6 modules or relative .js files; no require(), no import(). */
export function importProblems(name, code) {
  const problems = [];
  const statements = topLevelStatements(code);
  let seenOther = false;
  for (const statement of statements) {
    const isImport = /^import[\s{*'"]/.test(statement) || /^export\s*(\*|\{[^}]*\})\s*from\s/.test(statement);
    if (!isImport) {
      seenOther = true;
      continue;
    }
    if (seenOther) {
      problems.push(`${name}: import after other statements: ${statement.split('\n')[0]}`);
    }
    const from = /['"]([^'"]+)['"]\s*;?$/.exec(statement);
    if (from === null) {
      problems.push(`${name}: cannot read the module of: ${statement.split('\n')[0]}`);
    } else if (!K6_MODULE.test(from[1]) && !RELATIVE_JS.test(from[1])) {
      problems.push(`${name}: imports ${from[1]}: only k6 modules and relative .js files (no bundler, no remote modules)`);
    }
  }
  if (/\brequire\s*\(/.test(code)) {
    problems.push(`${name}: uses require(): the scripts are ES modules`);
  }
  if (/\bimport\s*\(/.test(code)) {
    problems.push(`${name}: uses import(): k6 loads modules at init, import them at the top`);
  }
  return problems;
}

/** Paths given as string literals to open() or import.meta.resolve(). */
export function dataFiles(code) {
  const paths = [];
  for (const m of code.matchAll(/\b(?:open|import\.meta\.resolve)\s*\(\s*(['"])([^'"]+)\1/g)) {
    paths.push(m[2]);
  }
  return paths;
}

/** Names read as `__ENV.NAME` or `__ENV['NAME']`; reading `__ENV[expression]` is itself a problem (unknowable). */
export function envVariables(code) {
  const names = new Set();
  for (const m of code.matchAll(/\b__ENV\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"]+)\2\s*\])/g)) {
    names.add(m[1] || m[3]);
  }
  for (const m of code.matchAll(/\b__ENV\s*\[\s*(?!['"])/g)) {
    names.add(`__ENV[…] at offset ${m.index} (use __ENV.NAME so that the variable can be checked)`);
  }
  return Array.from(names).sort();
}

function dataProblems(root) {
  const problems = [];
  const checks = [['data/methods.json', parseMix], ['data/keys.example.json', parseKeys]];
  for (const [path, parse] of checks) {
    try {
      parse(JSON.parse(readFileSync(join(root, path), 'utf8')));
    } catch (e) {
      problems.push(`${path}: ${e.message}`);
    }
  }
  try {
    const plans = JSON.parse(readFileSync(join(root, 'data/plans.json'), 'utf8')).plans;
    const keys = plans.flatMap((p) => Array.from({ length: p.keys }, (_, i) =>
      ({ name: `${p.name}-${i + 1}`, secret: 'rgk_check', plan: p.name, expect: p.expect, weight: p.weight })));
    parseKeys({ keys });
  } catch (e) {
    problems.push(`data/plans.json: ${e.message}`);
  }
  return problems;
}

/** Source with comments blanked out (string contents kept), so that commented code neither passes nor fails. */
function stripComments(source) {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '\'' || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) {
        j += source[j] === '\\' ? 2 : 1;
      }
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Top-level statements, roughly: text between semicolons or closing braces at depth 0. Enough for imports. */
function topLevelStatements(code) {
  const statements = [];
  let depth = 0;
  let start = 0;
  let quote = null;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '\'' || c === '"' || c === '`') quote = c;
    else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') {
      depth--;
      if (depth === 0 && c === '}' && !/^\s*(import|export\s*\{)/.test(code.slice(start, i))) {
        push(i + 1);
      }
    } else if (c === ';' && depth === 0) push(i + 1);
    else if (c === '\n' && depth === 0 && /^\s*import\s[^;]*['"]\s*$/.test(code.slice(start, i))) push(i);
  }
  push(code.length);
  return statements;

  function push(end) {
    const text = code.slice(start, end).trim();
    if (text !== '' && text !== ';') statements.push(text);
    start = end;
  }
}

function listJs(dir) {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listJs(path);
    return entry.name.endsWith('.js') ? [path] : [];
  }).sort();
}

function firstLines(text) {
  return text.split('\n').filter((l) => l.trim() !== '').slice(0, 4).join(' | ');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] || dirname(fileURLToPath(import.meta.url)));
  const problems = checkK6Folder(root, join(root, '..', 'README.md'));
  for (const p of problems) {
    console.error(p);
  }
  console.log(problems.length === 0 ? 'k6 scripts: all checks passed' : `k6 scripts: ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}
