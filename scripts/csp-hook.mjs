// Trunk post-build hook: adds a strict Content-Security-Policy <meta> to the
// built index.html. Trunk's loader is an inline module script whose text
// changes with every build (it names the hashed .js/.wasm files), so its
// SHA-256 is computed here and allowed by hash: no 'unsafe-inline', no
// 'unsafe-eval' ('wasm-unsafe-eval' is what WebAssembly compilation needs).
//
// Runs with TRUNK_STAGING_DIR set (see Trunk.toml [[hooks]]); can also be
// run by hand: node scripts/csp-hook.mjs path/to/dir

import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR
if (!dir) throw new Error('usage: node scripts/csp-hook.mjs <dist dir> (or run as a Trunk hook)')
const file = join(dir, 'index.html')
let html = readFileSync(file, 'utf8')

const hashes = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)]
  .filter(([tag]) => !/\bsrc=/.test(tag.slice(0, tag.indexOf('>'))))
  .map(([, body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`)

export const policy = [
  "default-src 'none'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  // Brokers are reached over ws:/wss:; Cognito over https (AWS regions, China
  // regions); localhost for local test services (e.g. a Cognito stand-in).
  "connect-src 'self' ws: wss: https://*.amazonaws.com https://*.amazonaws.com.cn http://127.0.0.1:* http://localhost:*",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'"
].join('; ')

html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/g, '')
html = html.replace(/(<meta charset="utf-8"\s*\/?>)/i, `$1\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`)
if (!html.includes('Content-Security-Policy')) throw new Error('could not place the CSP meta tag')
writeFileSync(file, html)
console.log(`csp-hook: ${hashes.length} inline script(s) allowed by hash`)
