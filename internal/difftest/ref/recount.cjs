#!/usr/bin/env node
// Reference side of the recount check (internal/difftest/recount.go).
//
//   node recount.cjs PLAN.jsonl LOG.jsonl EXPECTED.jsonl
//
// LOG.jsonl is a generated request log. PLAN.jsonl says, for some of its lines, which JSON
// values hold the text that is counted and under which figure:
//
//   {"line": 7, "enc": "o200k_base", "parts": [{"k": "input/user", "p": ["body", "messages", 1, "content"]}, ...]}
//
// For each plan line this reads log line `line` (1-based, split at "\n" bytes), decodes its
// bytes as UTF-8 the WHATWG way (each maximal invalid subsequence becomes U+FFFD, as Python's
// errors="replace" does), parses it with JSON.parse (a lone surrogate escape stays a lone
// surrogate; tiktoken's TextEncoder turns it into U+FFFD), follows each path to a string and
// counts it with encode_ordinary (special-token text is ordinary text). Parts with the same
// figure are summed, each counted on its own. It writes one line per plan line to EXPECTED.jsonl:
//
//   {"line": 7, "tokens": {"input/user": 12, ...}}
//
// A path that does not lead to a string is an error (exit 1): the plan and the log disagree.
"use strict";
const fs = require("fs");
const { get_encoding } = require("tiktoken");

function main() {
  const [planPath, logPath, outPath] = process.argv.slice(2);
  if (!planPath || !logPath || !outPath) {
    process.stderr.write("usage: node recount.cjs PLAN.jsonl LOG.jsonl EXPECTED.jsonl\n");
    process.exit(2);
  }
  const log = fs.readFileSync(logPath);
  const starts = [0];
  for (let i = log.indexOf(10); i >= 0; i = log.indexOf(10, i + 1)) starts.push(i + 1);
  const lineBytes = (n) => {
    const s = starts[n - 1];
    if (s === undefined || s > log.length) throw new Error(`log has no line ${n}`);
    const e = n < starts.length ? starts[n] - 1 : log.length;
    return log.subarray(s, e);
  };
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  const encoders = new Map();
  const memo = new Map(); // enc -> Map(text -> count): conversations repeat their turns
  const count = (enc, text) => {
    if (!encoders.has(enc)) {
      encoders.set(enc, get_encoding(enc));
      memo.set(enc, new Map());
    }
    const m = memo.get(enc);
    let n = m.get(text);
    if (n === undefined) {
      n = encoders.get(enc).encode_ordinary(text).length;
      m.set(text, n);
    }
    return n;
  };
  const out = [];
  for (const planLine of fs.readFileSync(planPath, "utf8").split("\n")) {
    if (planLine === "") continue;
    const plan = JSON.parse(planLine);
    const rec = JSON.parse(decoder.decode(lineBytes(plan.line)));
    const tokens = {};
    for (const part of plan.parts) {
      let v = rec;
      for (const key of part.p) {
        v = v === null || typeof v !== "object" ? undefined : v[key];
      }
      if (typeof v !== "string") {
        throw new Error(`line ${plan.line}: ${JSON.stringify(part.p)} is not a string`);
      }
      tokens[part.k] = (tokens[part.k] || 0) + count(plan.enc, v);
    }
    out.push(JSON.stringify({ line: plan.line, tokens }));
  }
  fs.writeFileSync(outPath, out.join("\n") + "\n");
}

try {
  main();
} catch (e) {
  process.stderr.write(`recount.cjs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
}
