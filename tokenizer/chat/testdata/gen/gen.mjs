// Renders the conversations of ../cases.json with npm gpt-tokenizer and
// writes ../gpt_tokenizer_golden.json, so that the Go tests compare with a
// second implementation without needing node. Run: npm ci && node gen.mjs
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as oss from 'gpt-tokenizer/model/gpt-oss-20b'
import * as gpt35 from 'gpt-tokenizer/model/gpt-3.5-turbo'
import * as gpt4 from 'gpt-tokenizer/model/gpt-4'
import * as gpt4o from 'gpt-tokenizer/model/gpt-4o'

const require = createRequire(import.meta.url)
const version = require('gpt-tokenizer/package.json').version
const here = new URL('.', import.meta.url)
const cases = JSON.parse(readFileSync(new URL('../cases.json', here), 'utf8'))

// Content is ordinary text: special-token text inside it is not special,
// as openai/harmony's renderer (encode_ordinary) treats it.
const ordinary = { disallowedSpecial: new Set() }

const harmony = cases.harmony.map((c) => ({
  name: c.name,
  tokens: oss.encodeChat(c.messages, 'gpt-oss-20b', ordinary),
}))

// gpt-tokenizer's ChatML: gpt-3.5-turbo uses "\n" separators (4 tokens a
// message, the cookbook's gpt-3.5-turbo-0301 rule), gpt-4 and gpt-4o use
// <|im_sep|> (3 tokens a message).
const chatml = []
for (const c of cases.chatml) {
  for (const [model, api] of [['gpt-3.5-turbo', gpt35], ['gpt-4', gpt4], ['gpt-4o', gpt4o]]) {
    chatml.push({ name: c.name, model, count: api.encodeChat(c.messages, model).length })
  }
}

const out = { generator: `npm gpt-tokenizer@${version} via testdata/gen/gen.mjs`, harmony, chatml }
writeFileSync(new URL('../gpt_tokenizer_golden.json', here), JSON.stringify(out, null, 1) + '\n')
console.log(`wrote ${harmony.length} harmony and ${chatml.length} chatml goldens`)
