// Probes the reference (npm tokenizers, native build) for the character data
// internal/hf must agree with.
//
//   node probe.js norm            writes ../norm_golden.jsonl.gz (committed): random
//                                 strings rich in combining marks, Hangul and
//                                 compatibility characters, with the reference's
//                                 NFC, NFD, NFKC and NFKD
//   node probe.js all OUTDIR      writes OUTDIR/classes.json (the code points each
//                                 regex class, Digits, single_word and lstrip see)
//                                 and OUTDIR/norm_all.jsonl (every code point in 12
//                                 contexts, NFC and NFKC), for TestProbe
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const tk = require('tokenizers');

function mkTokenizer(fields) {
  const j = {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null, pre_tokenizer: null,
    post_processor: null, decoder: null,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: { a: 0 }, merges: [] },
  };
  Object.assign(j, fields);
  return tk.Tokenizer.fromString(JSON.stringify(j));
}

function allCodePoints(skip) {
  const cps = [];
  for (let c = 0; c <= 0x10ffff; c++) {
    if ((c >= 0xd800 && c <= 0xdfff) || (skip && skip.has(c))) continue;
    cps.push(c);
  }
  return cps;
}

function ranges(list) {
  const r = [];
  for (const c of list) {
    if (r.length && r[r.length - 1][1] === c - 1) r[r.length - 1][1] = c;
    else r.push([c, c]);
  }
  return r;
}

// The code points a Split regex matches, one by one.
function regexClass(pattern, text) {
  const t = mkTokenizer({ pre_tokenizer: { type: 'Split', pattern: { Regex: pattern }, behavior: 'Removed', invert: true } });
  const cps = [];
  for (const [s] of t.getPreTokenizer().preTokenizeString(text)) for (const ch of s) cps.push(ch.codePointAt(0));
  return ranges(cps);
}

async function classes() {
  const all = allCodePoints();
  const text = all.map((c) => String.fromCodePoint(c)).join('');
  const out = {};
  for (const cls of ['L', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'M', 'Mn', 'Mc', 'Me', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Ps',
    'Pe', 'Pi', 'Pf', 'Po', 'S', 'Sm', 'Sc', 'Sk', 'So', 'Z', 'Zs', 'Zl', 'Zp', 'Cc', 'Cf', 'Co']) {
    out['\\p{' + cls + '}'] = regexClass('\\p{' + cls + '}', text);
  }
  out['\\s'] = regexClass('\\s', text);
  out['\\d'] = regexClass('\\d', text);
  // Digits: Rust char::is_numeric. Each code point between two 'a's: a
  // numeric one comes out as a piece of its own.
  {
    const cps = allCodePoints(new Set([0x61]));
    const t = mkTokenizer({ pre_tokenizer: { type: 'Digits', individual_digits: true } });
    const pieces = t.getPreTokenizer().preTokenizeString('a' + cps.map((c) => String.fromCodePoint(c)).join('a') + 'a');
    const num = [];
    for (const [s] of pieces) {
      const a = [...s];
      if (a.length === 1 && a[0] !== 'a') num.push(a[0].codePointAt(0));
    }
    out.numeric = ranges(num);
  }
  // single_word (Rust regex \w) and lstrip/rstrip (\s), from an added token
  // "<T>" next to each code point, with byte fallback to see what is left.
  const vocab = { '|': 0 };
  for (let b = 0; b < 256; b++) vocab['<0x' + b.toString(16).toUpperCase().padStart(2, '0') + '>'] = 1 + b;
  const cps = allCodePoints(new Set([0x7c, 0x3c, 0x3e, 0x54]));
  for (const [name, flags] of [['word', { single_word: true }], ['lstrip', { lstrip: true }], ['rstrip', { rstrip: true }]]) {
    const t = mkTokenizer({
      added_tokens: [{ id: 257, content: '<T>', single_word: !!flags.single_word, lstrip: !!flags.lstrip, rstrip: !!flags.rstrip, normalized: false, special: true }],
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: true, ignore_merges: false, vocab, merges: [] },
    });
    const sel = [];
    for (let i = 0; i < cps.length; i += 20000) {
      const chunk = cps.slice(i, i + 20000);
      const text = chunk.map((c) => (name === 'rstrip' ? '|<T>' + String.fromCodePoint(c) : '|' + String.fromCodePoint(c) + '<T>')).join('') + '|';
      const ids = (await t.encode(text, null, { addSpecialTokens: false })).getIds();
      const units = [];
      let cur = null;
      for (const id of ids) {
        if (id === 0) {
          if (cur) units.push(cur);
          cur = [];
        } else cur.push(id);
      }
      if (units.length !== chunk.length) throw new Error(name + ': unit count');
      chunk.forEach((c, k) => {
        const u = units[k];
        if (name === 'word' ? !u.includes(257) : u.length === 1) sel.push(c);
      });
    }
    out[name] = ranges(sel);
  }
  return out;
}

// Every code point in a few combining contexts, NFC and NFKC, batched with
// a separator that never interacts.
function normAll(file) {
  const nfc = tk.nfcNormalizer();
  const nfkc = tk.nfkcNormalizer();
  const ctx = [['', ''], ['a', ''], ['', '\u0334'], ['\u0301', ''], ['', '\u0301'], ['\u0316', ''], ['', '\u0345'], ['', '\u0316'],
    ['\u1100', ''], ['', '\u1161'], ['', '\u11A8'], ['e', '\u0301']];
  const tests = [];
  for (const c of allCodePoints()) for (const [p, q] of ctx) tests.push(p + String.fromCodePoint(c) + q);
  const SEP = '\uFFFF\uFFFE';
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < tests.length; i += 5000) {
    const chunk = tests.slice(i, i + 5000);
    const a = nfc.normalizeString(chunk.join(SEP)).split(SEP);
    const b = nfkc.normalizeString(chunk.join(SEP)).split(SEP);
    if (a.length !== chunk.length || b.length !== chunk.length) throw new Error('separator');
    let s = '';
    for (let j = 0; j < chunk.length; j++) s += JSON.stringify([chunk[j], a[j], b[j]]) + '\n';
    fs.writeSync(fd, s);
  }
  fs.closeSync(fd);
}

function prng(seed) {
  return function () {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Random strings for the committed normalization golden file.
function normGolden() {
  const marks = ['\u0300', '\u0301', '\u0308', '\u0316', '\u0323', '\u0327', '\u0334', '\u0345', '\u0313', '\u05B0', '\u0651',
    '\u093C', '\u094D', '\u0E38', '\u0F71', '\u0F72', '\u302A', '\u3099', '\u1DCE', '\u20D2', '\u07FD', '\u0898', '\u1AB0'];
  const bases = ['a', 'e', 'o', 'u', 'A', 'ω', 'Α', 'ι', 'ü', 'ǖ', 'ḉ', 'ᾢ', '\u1100', '\u1161', '\u11A8', '가', '각', 'ᄀ',
    'か', 'ﬁ', '①', 'Ⅻ', 'Ａ', 'ｶ', 'ﾞ', '\u0B47', '\u0B3E', '\u0DD9', '\u0DCF', '\u0DCA', '\u1025', '\u102E', 'ﷺ', '㍿',
    'Å', 'Å', 'ẛ', ' ', '\u00A0', '\u0344', '\u0F73', '\u0F77', '\u{1D15E}', '\u{1F16B}', '\u32FF', '\u{10D40}'];
  const rnd = prng(7);
  const nf = { nfc: tk.nfcNormalizer(), nfd: tk.nfdNormalizer(), nfkc: tk.nfkcNormalizer(), nfkd: tk.nfkdNormalizer() };
  const lines = [];
  for (let i = 0; i < 1500; i++) {
    let s = '';
    const n = 1 + Math.floor(rnd() * 12);
    for (let j = 0; j < n; j++) {
      s += bases[Math.floor(rnd() * bases.length)];
      // Now and then a long run of marks (past x/text's 30 non-starters).
      const m = rnd() < 0.1 ? 25 + Math.floor(rnd() * 30) : Math.floor(rnd() * 4);
      for (let k = 0; k < m; k++) s += marks[Math.floor(rnd() * marks.length)];
    }
    const rec = { s };
    for (const [k, f] of Object.entries(nf)) rec[k] = f.normalizeString(s);
    lines.push(JSON.stringify(rec));
  }
  fs.writeFileSync(path.join(__dirname, '..', 'norm_golden.jsonl.gz'), zlib.gzipSync(Buffer.from(lines.join('\n') + '\n'), { level: 9 }));
}

async function main() {
  const mode = process.argv[2];
  if (mode === 'norm') return normGolden();
  if (mode === 'all') {
    const out = process.argv[3];
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'classes.json'), JSON.stringify(await classes()));
    normAll(path.join(out, 'norm_all.jsonl'));
    return;
  }
  throw new Error('usage: node probe.js norm | all OUTDIR');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
