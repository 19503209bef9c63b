// Differential reference run: encodes several MB of real text with every
// tokenizer in NAMES and writes the reference ids, for TestDifferential
// (internal/hf/diff_test.go) to compare against.
//
//   node diff.js OUTDIR [GOROOT]
//
// Corpus (deterministic): every 12th .go file under GOROOT/src in sorted
// order, up to 6 MB, plus /usr/share/common-licenses/* and
// GOROOT/src/testdata/Isaac.Newton-Opticks.txt. Each file is read as bytes
// and decoded as WHATWG UTF-8 (BOM kept), as the Go side does.
//
// Output: OUTDIR/manifest.json ({files: [{path, bytes}], ...}) and
// OUTDIR/NAME.ids: for each file, a little-endian uint32 count, then the ids.
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { NAMES, loadTokenizer, decodeBytes, ids } = require('./common');

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && e.name.endsWith('.go')) out.push(p);
  }
  return out;
}

function corpus(goroot) {
  const files = [];
  const src = walk(path.join(goroot, 'src'), []).sort();
  let total = 0;
  for (let i = 0; i < src.length && total < 6e6; i += 12) {
    const n = fs.statSync(src[i]).size;
    if (n === 0 || n > 400000) continue;
    files.push(src[i]);
    total += n;
  }
  const lic = '/usr/share/common-licenses';
  if (fs.existsSync(lic)) {
    for (const f of fs.readdirSync(lic).sort()) {
      const p = path.join(lic, f);
      if (fs.statSync(p).isFile()) files.push(p);
    }
  }
  files.push(path.join(goroot, 'src', 'testdata', 'Isaac.Newton-Opticks.txt'));
  return files;
}

async function main() {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node diff.js OUTDIR [GOROOT]');
  const goroot = process.argv[3] || execFileSync('go', ['env', 'GOROOT']).toString().trim();
  fs.mkdirSync(out, { recursive: true });
  const files = corpus(goroot);
  const texts = files.map((f) => decodeBytes(fs.readFileSync(f)));
  const bytes = files.map((f) => fs.statSync(f).size);
  const manifest = { goroot, files: files.map((p, i) => ({ path: p, bytes: bytes[i] })), tokenizers: {} };
  console.log(`corpus: ${files.length} files, ${bytes.reduce((a, b) => a + b, 0)} bytes`);
  for (const name of NAMES) {
    const { tok, sha256 } = loadTokenizer(name);
    const chunks = [];
    let n = 0;
    const t0 = process.hrtime.bigint();
    for (const text of texts) {
      const got = await ids(tok, text, false);
      const buf = Buffer.alloc(4 * (got.length + 1));
      buf.writeUInt32LE(got.length, 0);
      for (let i = 0; i < got.length; i++) buf.writeUInt32LE(got[i], 4 * (i + 1));
      chunks.push(buf);
      n += got.length;
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    fs.writeFileSync(path.join(out, name + '.ids'), Buffer.concat(chunks));
    manifest.tokenizers[name] = { sha256, ids: n, ms: Math.round(ms) };
    console.log(`${name}: ${n} ids in ${ms.toFixed(0)} ms`);
  }
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
