// Measures the reference's speed on English prose, to set against
// BenchmarkCountOpticks: encode(text, null, {addSpecialTokens: false}) of
// the whole of GOROOT/src/testdata/Isaac.Newton-Opticks.txt, one call at a
// time, after one warm-up call (the reference caches words, as internal/hf
// does). Prints the median of 7 runs per tokenizer.
//
//   node bench.js [GOROOT] [NAME...]
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { NAMES, loadTokenizer, decodeBytes } = require('./common');

async function main() {
  const args = process.argv.slice(2);
  const goroot = args[0] && !NAMES.includes(args[0]) ? args.shift() : execFileSync('go', ['env', 'GOROOT']).toString().trim();
  const names = args.length ? args : NAMES;
  const file = path.join(goroot, 'src', 'testdata', 'Isaac.Newton-Opticks.txt');
  const bytes = fs.readFileSync(file);
  const text = decodeBytes(bytes);
  for (const name of names) {
    const { tok } = loadTokenizer(name);
    let n = (await tok.encode(text, null, { addSpecialTokens: false })).getLength();
    const times = [];
    for (let i = 0; i < 7; i++) {
      const t0 = process.hrtime.bigint();
      n = (await tok.encode(text, null, { addSpecialTokens: false })).getLength();
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    times.sort((a, b) => a - b);
    const med = times[3];
    console.log(`reference ${name}: ${n} tokens, ${(med * 1e3).toFixed(1)} ms, ${(bytes.length / 1e6 / med).toFixed(2)} MB/s (median of 7)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
