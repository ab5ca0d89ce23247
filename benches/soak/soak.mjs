// Soak: an hour (SOAK_MINUTES) at 200 messages/s (SOAK_RATE) through the
// real page against the real broker, with the log capped at 10,000 messages.
// Samples JS heap (after a forced GC), wasm memory and the live wasm heap
// every minute; fails if memory grows after a warm-up (JS heap + wasm memory
// by 20%, live wasm heap by 5%), the page errors or panics, or the
// connection drops.
// Not part of CI:   node benches/soak/soak.mjs   (needs dist/ built)
// Writes bench-results/soak.json.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  ROOT, launchBrowser, openApp, outsideClient, serveDist, startBroker
} from '../../tests/e2e/harness.mjs'

const MINUTES = Number(process.env.SOAK_MINUTES ?? 60)
const RATE = Number(process.env.SOAK_RATE ?? 200)
const CAP = 10000
// Seconds between samples; a shorter interval with a higher rate is a quick
// check of the same message count (e.g. SOAK_RATE=2000 SOAK_MINUTES=6).
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 60)
// Growth is measured from the first sample after this warm-up.
const WARMUP_MINUTES = Math.min(2, MINUTES / 4)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// SOAK_PORT_OFFSET lets two soaks run side by side (e.g. two builds).
const PORT_OFFSET = Number(process.env.SOAK_PORT_OFFSET ?? 0)
// Ports apart from the test suite's (19001–19171, 11883–11971).
const broker = await startBroker({ wsPort: 19501 + PORT_OFFSET, tcpPort: 12501 + PORT_OFFSET })
const site = await serveDist()
const browser = await launchBrowser()
const { page, problems } = await openApp(browser.context, `${site.url}?bench&logCap=${CAP}`)
const cdp = await browser.context.newCDPSession(page)
await page.evaluate(async (url) => {
  await window.mqttConsole.connect({ url, clientId: 'soak-page' })
  await window.mqttConsole.subscribe('soak/#', 0)
}, broker.wsUrl)

const publisher = await outsideClient(broker.tcpUrl)
let sent = 0
const filler = 'x'.repeat(40)
const tick = setInterval(() => {
  for (let i = 0; i < RATE / 20; i++) {
    publisher.publish(`soak/device/${sent % 50}`, JSON.stringify({ seq: sent, t: Date.now(), f: filler }))
    sent++
  }
}, 50)

async function sample (minute) {
  await cdp.send('HeapProfiler.collectGarbage')
  const heap = await cdp.send('Runtime.getHeapUsage')
  const stats = await page.evaluate(() => window.__mqttConsoleBench?.stats() ?? {})
  const state = await page.evaluate(() => window.mqttConsole.state())
  const panicked = await page.evaluate(() => document.documentElement.dataset.panicked ?? null)
  return {
    minute,
    jsHeapMB: +(heap.usedSize / 1048576).toFixed(2),
    wasmMB: +((stats.wasmBytes ?? 0) / 1048576).toFixed(2),
    storeMB: +((stats.storeBytes ?? 0) / 1048576).toFixed(2),
    liveHeapMB: +((stats.liveHeapBytes ?? 0) / 1048576).toFixed(3),
    stored: stats.count,
    received: stats.received,
    dropped: stats.dropped,
    sent,
    state,
    panicked
  }
}

const samples = [await sample(0)]
console.log(samples[0])
const started = Date.now()
for (let n = 1; n * SAMPLE_SECONDS <= MINUTES * 60; n++) {
  await sleep(started + n * SAMPLE_SECONDS * 1000 - Date.now())
  const s = await sample(+(n * SAMPLE_SECONDS / 60).toFixed(2))
  samples.push(s)
  console.log(s)
}
clearInterval(tick)

const first = samples.find((s) => s.minute >= WARMUP_MINUTES) ?? samples[samples.length - 1]
const last = samples[samples.length - 1]
const growth = (last.jsHeapMB + last.wasmMB) / (first.jsHeapMB + first.wasmMB)
// Live wasm heap (bytes allocated, not memory reserved): a leak shows here
// long before wasm memory, which grows only in 64 KiB pages into slack.
const liveGrowth = last.liveHeapMB / first.liveHeapMB
const errors = [
  ...problems,
  ...samples.filter((s) => s.state !== 'connected').map((s) => `minute ${s.minute}: ${s.state}`),
  ...samples.filter((s) => s.panicked).map((s) => `minute ${s.minute}: panicked`)
]
const report = { date: new Date().toISOString(), minutes: MINUTES, rate: RATE, cap: CAP, growth, liveGrowth, errors, samples }
mkdirSync(join(ROOT, 'bench-results'), { recursive: true })
writeFileSync(process.env.SOAK_OUT ?? join(ROOT, 'bench-results', 'soak.json'), JSON.stringify(report, null, 2))
console.log(`\nsoak: ${MINUTES} min at ${RATE} msg/s, cap ${CAP}: heap+wasm ${first.jsHeapMB + first.wasmMB} MB (minute ${first.minute}) -> ${last.jsHeapMB + last.wasmMB} MB (end), growth x${growth.toFixed(3)}; live wasm heap ${first.liveHeapMB} -> ${last.liveHeapMB} MB, x${liveGrowth.toFixed(3)}; ${errors.length} error(s)`)

publisher.end(true)
await browser.close()
await site.stop()
await broker.stop()
process.exit(errors.length === 0 && growth < 1.2 && liveGrowth < 1.05 && last.stored <= CAP ? 0 : 1)
