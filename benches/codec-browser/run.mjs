// In-browser codec benchmark (issue 3): decodes one stream of 100,000
// PUBLISH packets (topic `bench/device/42/telemetry`, 64 B payload, QoS 0 and
// 1 alternating) in the same headless Chromium page with
//
//   * ours:        the app's wasm codec (`StreamDecoder`), called through the
//                  exports of src/bench_exports.rs in the real release bundle;
//   * mqtt-packet: the codec inside mqtt.js (npm `mqtt-packet`, bundled for
//                  the browser with esbuild), used as mqtt.js uses it;
//   * hand JS:     a minimal hand-written JavaScript decoder (bench.js).
//
//   node benches/codec-browser/run.mjs [--dist DIR] [--rounds N] [--count N] [--out FILE]
//   node benches/codec-browser/run.mjs --profile ours/buffer [--dist DIR]
//        (CPU profile of one decoder: top functions by self time; give a
//        build whose wasm keeps its name section to see Rust names, and set
//        NO_MINIFY=1 to see mqtt-packet's)
//
// Needs a release build that contains src/bench_exports.rs:
// `trunk build --release` (dist/, the default) or `--dist DIR` /
// MQTT_CONSOLE_DIST. The real index.html is opened (its CSP untouched); the
// mqtt-packet bundle and bench.js are served from the same origin and added
// as script tags. Two warm-up runs of each decoder, then N rounds (default 15)
// in rotating order; the table shows medians. Prints the table and writes
// JSON to bench-results/codec-browser.json. Not part of CI.

import { build } from 'esbuild'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { cpus, loadavg } from 'node:os'
import { dirname, extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '..', '..')
const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const DIST = option('--dist', process.env.MQTT_CONSOLE_DIST ?? join(ROOT, 'dist'))
const ROUNDS = Number(option('--rounds', 15))
const WARMUP = 2
const COUNT = Number(option('--count', 100_000))
const OUT = option('--out', join(ROOT, 'bench-results', 'codec-browser.json'))
const PROFILE = option('--profile', null)
const STREAM = { count: COUNT, payloadSize: 64, topic: 'bench/device/42/telemetry' }

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'
]
const DECODERS = [
  { key: 'ours', label: 'ours (wasm StreamDecoder)' },
  { key: 'mqttPacket', label: `mqtt-packet ${JSON.parse(readFileSync(join(ROOT, 'node_modules', 'mqtt-packet', 'package.json'), 'utf8')).version} (mqtt.js)` },
  { key: 'handJs', label: 'hand-written JS' },
  { key: 'oursInWasm', label: 'ours, per-packet loop inside wasm (diagnostic)', only: 'messages' }
]
const decodersFor = (scenario) => DECODERS.filter((d) => !d.only || d.only === scenario)
const SCENARIOS = [
  { key: 'buffer', label: `one ${COUNT.toLocaleString('en-US')}-packet buffer` },
  { key: 'messages', label: 'one call per packet' }
]

const log = (...parts) => console.error('[codec-bench]', ...parts)
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function bundleMqttPacket () {
  const result = await build({
    entryPoints: [join(HERE, 'mqtt-packet-entry.js')],
    bundle: true,
    format: 'iife',
    globalName: 'mqttPacket',
    platform: 'browser',
    inject: [join(HERE, 'node-globals.js')],
    define: { global: 'globalThis' },
    minify: !process.env.NO_MINIFY, // as mqtt.js ships (dist/mqtt.min.js)
    write: false,
    logLevel: 'warning'
  })
  return result.outputFiles[0].text
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' }

async function serve (mqttPacketJs) {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '')
    const send = (type, body) => {
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' })
      response.end(body)
    }
    if (path === '/__codec-bench/mqtt-packet.js') return send(MIME['.js'], mqttPacketJs)
    if (path === '/__codec-bench/bench.js') return send(MIME['.js'], readFileSync(join(HERE, 'bench.js')))
    let file = join(DIST, path)
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html')
    send(MIME[extname(file)] ?? 'application/octet-stream', readFileSync(file))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}/`, stop: () => new Promise((resolve) => server.close(resolve)) }
}

function wasmSize () {
  const file = readdirSync(DIST).find((f) => f.endsWith('.wasm'))
  const bytes = readFileSync(join(DIST, file))
  return { file, bytes: bytes.length, gzip9: gzipSync(bytes, { level: 9 }).length }
}

/** `--profile decoder/scenario`: a sampled CPU profile, top self times. */
async function profile (page, runOnce) {
  const [decoder, scenario] = PROFILE.split('/')
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 })
  await cdp.send('Profiler.start')
  const started = Date.now()
  let runs = 0
  while (Date.now() - started < 5000) {
    await runOnce(decoder, scenario)
    runs++
  }
  const { profile } = await cdp.send('Profiler.stop')
  const self = new Map()
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const dt = new Map()
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  let total = 0
  for (const [id, us] of dt) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    const name = `${functionName || '(anonymous)'} ${url ? url.split('/').pop() : ''}${lineNumber >= 0 && url ? ':' + (lineNumber + 1) : ''}`
    self.set(name, (self.get(name) ?? 0) + us)
    total += us
  }
  console.log(`CPU profile of ${PROFILE}, ${runs} runs, ${(total / 1000).toFixed(0)} ms sampled; top self time:`)
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${(100 * us / total).toFixed(1).padStart(5)} %  ${name}`)
  }
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

async function main () {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html missing: run \`trunk build --release\` first (or pass --dist)`)
  const load = [loadavg()[0]]
  log(`bundling mqtt-packet; serving ${DIST}`)
  const server = await serve(await bundleMqttPacket())
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS })
  try {
    const page = await browser.newPage()
    const problems = []
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(server.url)
    await page.waitForFunction(() => window.wasmBindings, null, { timeout: 60_000 })
    await page.addScriptTag({ url: '/__codec-bench/mqtt-packet.js' })
    await page.addScriptTag({ url: '/__codec-bench/bench.js' })
    const setup = await page.evaluate((s) => window.codecBench.setup(s), STREAM)
    const userAgent = await page.evaluate(() => navigator.userAgent)
    log(`${fmt(setup.count)} packets, ${fmt(setup.bytes)} bytes; checking every decoder`)

    const checked = await page.evaluate(() => window.codecBench.check())
    for (const [name, { count, checksum }] of Object.entries(checked)) {
      if (count !== setup.count || checksum !== setup.expectedChecksum) {
        throw new Error(`${name} decoded ${count} packets (checksum ${checksum}), expected ${setup.count} (${setup.expectedChecksum})`)
      }
    }

    const samples = {}
    const runOnce = async (decoder, scenario) => {
      const r = await page.evaluate(([d, s]) => window.codecBench.run(d, s), [decoder, scenario])
      if (r.count !== setup.count || r.checksum !== setup.expectedChecksum) throw new Error(`${decoder}/${scenario}: wrong result ${JSON.stringify(r)}`)
      return r
    }
    log(`warm-up (${WARMUP} runs each)`)
    for (let w = 0; w < WARMUP; w++) {
      for (const s of SCENARIOS) for (const d of decodersFor(s.key)) await runOnce(d.key, s.key)
    }
    if (PROFILE) return await profile(page, runOnce)
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of SCENARIOS) {
        const decoders = decodersFor(s.key)
        for (let k = 0; k < decoders.length; k++) {
          const d = decoders[(k + round) % decoders.length] // rotate who goes first
          const r = await runOnce(d.key, s.key)
          ;(samples[`${d.key}/${s.key}`] ??= []).push(r.ms)
        }
      }
      log(`round ${round + 1}/${ROUNDS}: ` + decodersFor('buffer').map((d) => `${d.key} ${fmt(setup.count / (samples[`${d.key}/buffer`].at(-1) / 1000))}/s`).join(', '))
    }
    if (problems.length) throw new Error(`page errors: ${problems.join('; ')}`)
    load.push(loadavg()[0])

    const results = {}
    for (const s of SCENARIOS) {
      results[s.key] = {}
      for (const d of decodersFor(s.key)) {
        const ms = samples[`${d.key}/${s.key}`]
        const med = median(ms)
        results[s.key][d.key] = {
          medianMs: med,
          packetsPerSecond: setup.count / (med / 1000),
          megabytesPerSecond: setup.bytes / 1e6 / (med / 1000),
          bestPacketsPerSecond: setup.count / (Math.min(...ms) / 1000),
          worstPacketsPerSecond: setup.count / (Math.max(...ms) / 1000),
          samplesMs: ms
        }
      }
      for (const d of decodersFor(s.key)) {
        results[s.key][d.key].vsMqttPacket = results[s.key][d.key].packetsPerSecond / results[s.key].mqttPacket.packetsPerSecond
        results[s.key][d.key].vsHandJs = results[s.key][d.key].packetsPerSecond / results[s.key].handJs.packetsPerSecond
      }
    }

    const wasm = wasmSize()
    const lines = []
    lines.push(`In-browser decode: ${fmt(setup.count)} PUBLISH packets (${STREAM.topic}, ${STREAM.payloadSize} B payload, QoS 0/1), ${fmt(setup.bytes)} bytes; median of ${ROUNDS} rounds`)
    lines.push(`${userAgent.match(/(Headless)?Chrome\/[\d.]+/)?.[0] ?? userAgent}; ${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' -> ')}; wasm ${fmt(wasm.bytes)} B, ${fmt(wasm.gzip9)} B gzip -9`)
    lines.push('')
    lines.push('| scenario | decoder | packets/s | MB/s | vs mqtt-packet | vs hand JS | range (packets/s) |')
    lines.push('| --- | --- | ---: | ---: | ---: | ---: | --- |')
    for (const s of SCENARIOS) {
      for (const d of decodersFor(s.key)) {
        const r = results[s.key][d.key]
        lines.push(`| ${s.label} | ${d.label} | ${fmt(r.packetsPerSecond)} | ${fmt(r.megabytesPerSecond, 1)} | ${fmt(r.vsMqttPacket, 2)}× | ${fmt(r.vsHandJs, 2)}× | ${fmt(r.worstPacketsPerSecond)}–${fmt(r.bestPacketsPerSecond)} |`)
      }
    }
    const ratio = results.buffer.ours.vsMqttPacket
    lines.push('')
    lines.push(`ours / mqtt-packet (one buffer): ${fmt(ratio, 2)}× (target ≥ 6×: ${ratio >= 6 ? 'met' : 'NOT met'})`)
    console.log(lines.join('\n'))

    mkdirSync(dirname(OUT), { recursive: true })
    writeFileSync(OUT, JSON.stringify({
      date: new Date().toISOString(),
      stream: { ...STREAM, bytes: setup.bytes },
      rounds: ROUNDS,
      warmup: WARMUP,
      browser: userAgent,
      cores: cpus().length,
      loadAverage: load,
      dist: DIST,
      wasm,
      results
    }, null, 2) + '\n')
    log(`wrote ${OUT}`)
  } finally {
    await browser.close()
    await server.stop()
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
