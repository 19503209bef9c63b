#!/usr/bin/env node
// Reference side of tokcount's differential check (internal/difftest).
//
//   node ref.cjs MANIFEST.json OUT|-
//
// MANIFEST.json: {"encoding": "cl100k_base", "docs": ["/abs/path/doc1", ...]}
//
// For every document, in manifest order: read its bytes, decode them as UTF-8 the WHATWG way
// (each maximal invalid subsequence -> one U+FFFD; a leading BOM is KEPT, as in the project's
// rule and gen_golden.cjs, hence ignoreBOM: true), call enc.encode_ordinary(text) (special-token
// text is ordinary text) and write one record to OUT ("-" = stdout):
//
//   u32 status   0 = ok, 1 = the reference failed on this document (exception / WASM trap)
//   u32 micros   time spent in encode_ordinary (saturates at 2^32-1)
//   u32 n        ok: number of ids; failed: byte length of the UTF-8 error message
//   payload      ok: n x u32 ids; failed: the message, zero-padded to a multiple of 4 bytes
//
// All integers are little-endian. The stream starts with the 8-byte magic "TKREF1\n\0" and ends
// with a record whose status is 0xFFFFFFFF (n = 0), so a reader can tell a complete stream from a
// crashed process. A failure is never turned into an empty token list: the reader must report it
// as "reference failed". A WASM trap may leave the instance unusable, so after a failure the
// encoder is freed (best effort) and a fresh WASM instance and encoder are created.
"use strict";
const fs = require("fs");
const os = require("os");

// A WASM trap ("RuntimeError: unreachable" from a Rust panic) can leave the module instance in a
// bad state (e.g. its shadow stack pointer not restored). Recreating only the encoder would keep
// using that instance, so after a failure we drop tiktoken from the require cache and load a
// fresh copy: new WebAssembly.Instance, new memory.
function loadTiktoken() {
  for (const k of Object.keys(require.cache)) {
    if (/[\\/]node_modules[\\/]tiktoken[\\/]/.test(k)) delete require.cache[k];
  }
  return require("tiktoken").get_encoding;
}

function main() {
  const [manifestPath, outPath] = process.argv.slice(2);
  if (!manifestPath || !outPath) {
    process.stderr.write("usage: node ref.cjs MANIFEST.json OUT|-\n");
    process.exit(2);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  const encName = manifest.encoding;
  const docs = manifest.docs;
  if (typeof encName !== "string" || !Array.isArray(docs)) throw new Error("bad manifest");
  const littleEndian = os.endianness() === "LE";
  const fd = outPath === "-" ? 1 : fs.openSync(outPath, "w");
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

  // Buffered writer: records are collected into a 1 MiB chunk; big id arrays go straight out.
  const CHUNK = 1 << 20;
  let buf = Buffer.allocUnsafe(CHUNK);
  let pos = 0;
  function flush() {
    let off = 0;
    while (off < pos) off += fs.writeSync(fd, buf, off, pos - off);
    pos = 0;
  }
  function writeBytes(b) {
    if (b.length > CHUNK - pos) flush();
    if (b.length >= CHUNK) {
      let off = 0;
      while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off);
      return;
    }
    b.copy(buf, pos);
    pos += b.length;
  }
  const hdr = Buffer.alloc(12);
  function header(status, micros, n) {
    hdr.writeUInt32LE(status >>> 0, 0);
    hdr.writeUInt32LE(Math.min(micros, 0xffffffff) >>> 0, 4);
    hdr.writeUInt32LE(n >>> 0, 8);
    writeBytes(hdr);
  }

  writeBytes(Buffer.from("TKREF1\n\0", "latin1"));
  let get_encoding = loadTiktoken();
  let enc = get_encoding(encName);
  let nOK = 0, nFail = 0, nTokens = 0, nBytes = 0, encodeMicros = 0;
  const t0 = process.hrtime.bigint();
  for (const p of docs) {
    const bytes = fs.readFileSync(p);
    nBytes += bytes.length;
    const text = decoder.decode(bytes);
    const s = process.hrtime.bigint();
    let ids = null, err = null;
    try {
      ids = enc.encode_ordinary(text);
    } catch (e) {
      err = e;
    }
    const micros = Number((process.hrtime.bigint() - s) / 1000n);
    encodeMicros += micros;
    if (err === null) {
      nOK++;
      nTokens += ids.length;
      header(0, micros, ids.length);
      if (!littleEndian) {
        const out = Buffer.allocUnsafe(ids.length * 4);
        for (let i = 0; i < ids.length; i++) out.writeUInt32LE(ids[i], i * 4);
        writeBytes(out);
      } else {
        writeBytes(Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength));
      }
    } else {
      nFail++;
      const msg = Buffer.from(String(err).split("\n")[0], "utf8");
      header(1, micros, msg.length);
      const padded = Buffer.alloc((msg.length + 3) & ~3);
      msg.copy(padded);
      writeBytes(padded);
      try { enc.free(); } catch (_) { /* the instance may be poisoned */ }
      get_encoding = loadTiktoken();
      enc = get_encoding(encName);
    }
  }
  header(0xffffffff, 0, 0);
  flush();
  try { enc.free(); } catch (_) { /* ignore */ }
  if (fd !== 1) fs.closeSync(fd);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stderr.write(JSON.stringify({
    encoding: encName, docs: docs.length, ok: nOK, failed: nFail, bytes: nBytes, tokens: nTokens,
    seconds: +secs.toFixed(3), encode_seconds: +(encodeMicros / 1e6).toFixed(3),
  }) + "\n");
}

main();
