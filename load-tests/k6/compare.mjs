#!/usr/bin/env node
// Says which metrics moved between two k6 summaries written by the scenarios (SUMMARY_FILE), worst first.
//
//   node load-tests/k6/compare.mjs [--all] [--tolerance 0.1] [--rate-tolerance 0.001] [--min-ms 0.5] base.json current.json
//
// Exit status: 0 nothing got worse, 1 something got worse, 2 bad arguments or files. See load-tests/README.md.

import { readFileSync } from 'node:fs';
import { compare, formatComparison } from './lib/summary.js';

const USAGE = 'usage: compare.mjs [--all] [--tolerance 0.1] [--rate-tolerance 0.001] [--min-ms 0.5] base.json current.json';
const NUMERIC = { '--tolerance': 'tolerance', '--rate-tolerance': 'rateTolerance', '--min-ms': 'minMs' };

function main(args) {
  const options = {};
  const files = [];
  let all = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--all') {
      all = true;
    } else if (NUMERIC[args[i]]) {
      const value = Number(args[++i]);
      if (!(value >= 0)) {
        return usage(`${args[i - 1]} needs a number of at least 0`);
      }
      options[NUMERIC[args[i - 1]]] = value;
    } else if (args[i].startsWith('--')) {
      return usage(`unknown option ${args[i]}`);
    } else {
      files.push(args[i]);
    }
  }
  if (files.length !== 2) {
    return usage('two summary files are needed');
  }
  let result;
  try {
    const [base, current] = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
    result = compare(base, current, options);
  } catch (e) {
    return usage(e.message);
  }
  process.stdout.write(`${files[0]} -> ${files[1]}\n` + formatComparison(result, all));
  return result.rows.some((r) => r.verdict === 'worse') ? 1 : 0;
}

function usage(message) {
  console.error(`compare: ${message}\n${USAGE}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
