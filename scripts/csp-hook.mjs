// Trunk post-build hook: adds a strict Content-Security-Policy <meta> to the
// built index.html. Trunk's loader is an inline module script whose text
// changes with every build (it names the hashed .js/.wasm files), so its
// SHA-256 is computed here and allowed by hash: no 'unsafe-inline', no
// 'unsafe-eval' ('wasm-unsafe-eval' is what WebAssembly compilation needs).
//
// Runs with TRUNK_STAGING_DIR set (see Trunk.toml [[hooks]]); can also be
// run by hand: node scripts/csp-hook.mjs path/to/dir
//
// The policy is the production one. Tests that reach a local plain-http
// service (the AWS test's Cognito stand-in on 127.0.0.1) need a test build:
// MQTT_CONSOLE_CSP_TEST_ORIGINS='http://127.0.0.1:* http://localhost:*'
// adds those origins to connect-src (scripts/test.sh makes dist-test/ so
// from a copy of the release build). Never set it for a build you host.
// What a <meta> policy cannot say (frame-ancestors, and other headers) is in
// the README, "Hosting it for a team".

import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR
if (!dir) throw new Error('usage: node scripts/csp-hook.mjs <dist dir> (or run as a Trunk hook)')
const file = join(dir, 'index.html')
let html = readFileSync(file, 'utf8')

const testOrigins = (process.env.MQTT_CONSOLE_CSP_TEST_ORIGINS ?? '').trim()
if (testOrigins && !/^(https?:\/\/(127\.0\.0\.1|localhost)(:\d+|:\*)?\s*)+$/.test(testOrigins)) {
  throw new Error(`MQTT_CONSOLE_CSP_TEST_ORIGINS may only name loopback http(s) origins, not: ${testOrigins}`)
}

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
  // regions). A test build adds its loopback origins (see above).
  `connect-src 'self' ws: wss: https://*.amazonaws.com https://*.amazonaws.com.cn ${testOrigins}`.trim(),
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
console.log(`csp-hook: ${hashes.length} inline script(s) allowed by hash${testOrigins ? `; TEST build, connect-src adds ${testOrigins}` : ''}`)
