// Topic-table bench (not part of CI): N messages on N unique short topics
// (default 500,000) through the real page in headless Chromium against the
// real aedes broker; prints the page's own memory figures (wasm memory, live
// wasm heap, log and topic-table bytes) every 100,000 messages and the
// longest main-thread task ('longtask' observer in the page).
//   node benches/topics/run.mjs [--count N] [--topic-bytes B] [--dist DIR]
// Needs `trunk build --release` first. JSON in bench-results/topics.json.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connectPage, launchBrowser, openApp, outsideClient, ROOT, serveDist, startBroker, subscribePage } from '../../tests/e2e/harness.mjs'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : fallback
}
const COUNT = Number(arg('count', 500000))
const TOPIC_BYTES = Number(arg('topic-bytes', 0)) // 0: short topics (bench/t/<i>)
const DIST = arg('dist', undefined)
const MIB = 1024 * 1024

const broker = await startBroker({ wsPort: 19649, tcpPort: 11649 })
const site = await serveDist(DIST ? { dir: DIST } : {})
const browser = await launchBrowser()
const outside = await outsideClient(broker.tcpUrl)
const results = { count: COUNT, topicBytes: TOPIC_BYTES, samples: [] }
try {
  const context = await browser.newContext()
  await context.addInitScript(() => {
    window.__longTasks = []
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration))
    }).observe({ type: 'longtask', buffered: true })
  })
  const { page } = await openApp(context, `${site.url}?bench`)
  await connectPage(page, broker.wsUrl)
  await subscribePage(page, 'bench/#', 0)
  await page.evaluate(() => { window.__longTasks = [] })
  const pad = TOPIC_BYTES > 0 ? '/' + 'x'.repeat(Math.max(0, TOPIC_BYTES - 20)) : ''
  const started = Date.now()
  const sample = async (sent) => {
    const s = await page.evaluate(() => window.__mqttConsoleBench.stats())
    const longest = Math.max(0, ...await page.evaluate(() => window.__longTasks))
    const row = {
      sent,
      received: s.received,
      wasmMiB: +(s.wasmBytes / MIB).toFixed(1),
      liveHeapMiB: +(s.liveHeapBytes / MIB).toFixed(1),
      logMiB: +(s.storeBytes / MIB).toFixed(1),
      topics: s.topics,
      topicTableMiB: +(s.topicBytes / MIB).toFixed(1),
      untrackedTopics: s.untrackedTopics,
      apiBufferMiB: +(s.apiBufferBytes / MIB).toFixed(1),
      longestTaskMs: longest,
      seconds: +((Date.now() - started) / 1000).toFixed(1)
    }
    results.samples.push(row)
    console.log(JSON.stringify(row))
  }
  const BATCH = 1000
  for (let from = 0; from < COUNT; from += BATCH) {
    const sent = []
    for (let i = from; i < Math.min(COUNT, from + BATCH); i++) {
      sent.push(new Promise((resolve) => outside.publish(`bench/t/${i}${pad}`, '1', { qos: 0 }, resolve)))
    }
    await Promise.all(sent)
    // Keep the broker's queue to the page short (QoS 0 is not flow-controlled).
    await page.waitForFunction((n) => window.__mqttConsoleBench.stats().received >= n - 20000,
      Math.min(COUNT, from + BATCH), { timeout: 120000 })
    if ((from + BATCH) % 100000 === 0) await sample(from + BATCH)
  }
  await page.waitForFunction((n) => window.__mqttConsoleBench.stats().received >= n, COUNT, { timeout: 120000 })
    .catch(() => console.log('# not every message arrived'))
  await sample(COUNT)
  results.untrackedNotice = await page.getByTestId('topics-untracked').textContent().catch(() => null)
  console.log(`# notice: ${results.untrackedNotice}`)
  await context.close()
} finally {
  outside.end(true)
  await browser.close()
  await site.stop()
  await broker.stop()
}
mkdirSync(join(ROOT, 'bench-results'), { recursive: true })
writeFileSync(join(ROOT, 'bench-results', 'topics.json'), JSON.stringify(results, null, 2))
