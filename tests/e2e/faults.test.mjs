// Session faults in the real page: keepalive with throttled main-thread
// timers (hidden tab), dead-connection detection, and a QoS 1 stream through
// 20 connection cuts with a persistent session — nothing may be lost.
//
// aedes keeps sessions in memory only, so a broker restart would wipe the
// session; the connection is cut by a proxy between page and broker instead
// (tests/fixtures/cutting-proxy.mjs), which is what a network failure does.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startCuttingProxy } from '../fixtures/cutting-proxy.mjs'
import { startRogueBroker } from '../fixtures/rogue-broker.mjs'
import { launchBrowser, openApp, outsideClient, serveDist, startBroker } from './harness.mjs'

let broker, proxy, rogue, site, browser

before(async () => {
  broker = await startBroker({ wsPort: 19104, tcpPort: 11904 })
  proxy = await startCuttingProxy({ listenPort: 19404, targetPort: 19104 })
  rogue = await startRogueBroker(19204, 'well-behaved')
  site = await serveDist()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await site?.stop()
  await proxy?.stop()
  await rogue?.stop()
  await broker?.stop()
})

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

test('keepalive keeps time when main-thread timers are throttled (hidden tab)', async () => {
  rogue.setScenario('well-behaved')
  const context = await browser.newContext()
  // Simulate Chrome's intensive throttling of hidden tabs: every main-thread
  // timer of 500 ms or more fires ten minutes late.
  await context.addInitScript(() => {
    const original = window.setTimeout.bind(window)
    window.setTimeout = (fn, delay, ...args) => original(fn, delay >= 500 ? delay + 600000 : delay, ...args)
    const originalInterval = window.setInterval.bind(window)
    window.setInterval = (fn, delay, ...args) => originalInterval(fn, delay >= 500 ? delay + 600000 : delay, ...args)
  })
  const { page, problems } = await openApp(context, site.url)
  rogue.state.pings.length = 0
  await page.evaluate((url) => window.mqttConsole.connect({ url, keepAlive: 2 }), rogue.url)
  await sleep(7000)
  assert.ok(rogue.state.pings.length >= 2, `PINGREQs in 7 s with keepalive 2 s: ${rogue.state.pings.length}`)
  assert.equal(await page.evaluate(() => window.mqttConsole.state()), 'connected')
  await page.evaluate(() => window.mqttConsole.disconnect())
  assert.deepEqual(problems, [])
  await context.close()
})

test('a connection that stops answering is detected within 1.5 × keepalive and replaced', async () => {
  rogue.setScenario('no-pingresp')
  const context = await browser.newContext()
  const { page, problems } = await openApp(context, `${site.url}?reconnectMin=200&reconnectMax=1000`)
  const before = rogue.state.connections
  rogue.state.pings.length = 0
  rogue.state.closes.length = 0
  const connectedAt = Date.now()
  await page.evaluate((url) => window.mqttConsole.connect({ url, keepAlive: 2 }), rogue.url)
  while (rogue.state.closes.length === 0 && Date.now() - connectedAt < 15000) await sleep(50)
  assert.ok(rogue.state.closes.length >= 1, 'the page closed the dead connection')
  const detection = rogue.state.closes[0] - rogue.state.pings[0]
  console.log(`dead-connection detection: ${detection} ms after the unanswered PINGREQ (keepalive 2000 ms); ${rogue.state.closes[0] - connectedAt} ms after connecting`)
  assert.ok(detection <= 2000 + 500, `detected ${detection} ms after the PINGREQ`)
  await page.getByTestId('timeline').getByText(/Reconnecting in/).first().waitFor()
  while (rogue.state.connections === before + 1 && Date.now() - connectedAt < 20000) await sleep(50)
  assert.ok(rogue.state.connections > before + 1, 'reconnected')
  await page.evaluate(() => window.mqttConsole.disconnect())
  assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  await context.close()
})

test('QoS 1 both ways through 20 connection cuts with a persistent session: 0 lost, every duplicate marked', async () => {
  const TOTAL_IN = 2000
  const TOTAL_OUT = 500
  const CUTS = 20
  const context = await browser.newContext()
  const { page, problems } = await openApp(context, `${site.url}?reconnectMin=200&reconnectMax=1500`)
  await page.evaluate(async (url) => {
    await window.mqttConsole.connect({ url, clientId: 'fault-test-page', cleanSession: false, keepAlive: 10 })
    await window.mqttConsole.subscribe('fault/in', 1)
  }, proxy.url)

  // Outside: a subscriber checks the page's sequence; a publisher sends ours.
  const checker = await outsideClient(broker.tcpUrl, { clientId: 'fault-checker', clean: false })
  await new Promise((resolve, reject) => checker.subscribe('fault/out', { qos: 1 }, (e) => e ? reject(e) : resolve()))
  const fromPage = []
  checker.on('message', (_topic, payload) => fromPage.push(JSON.parse(payload).seq))
  const publisher = await outsideClient(broker.tcpUrl, { clientId: 'fault-publisher' })

  const started = Date.now()
  const publishing = (async () => {
    for (let seq = 0; seq < TOTAL_IN; seq++) {
      publisher.publish('fault/in', JSON.stringify({ seq }), { qos: 1 })
      if (seq % 20 === 19) await sleep(100)
    }
  })()
  const pagePublishing = page.evaluate(async (total) => {
    const pending = []
    for (let seq = 0; seq < total; seq++) {
      pending.push(window.mqttConsole.publish('fault/out', JSON.stringify({ seq }), { qos: 1 }).catch((e) => `error ${seq}: ${e.message}`))
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return (await Promise.all(pending)).filter((r) => typeof r === 'string')
  }, TOTAL_OUT)

  let cuts = 0
  let lastCut = Date.now()
  while (cuts < CUTS) {
    await sleep(150)
    if (proxy.open > 0 && Date.now() - lastCut > 900) {
      proxy.cut()
      cuts++
      lastCut = Date.now()
    }
    if (Date.now() - started > 120000) break
  }
  await publishing
  const pageErrors = await pagePublishing

  // Let everything settle: all 2000 in, all 500 out.
  const deadline = Date.now() + 60000
  let received = []
  while (Date.now() < deadline) {
    received = await page.evaluate(() => window.mqttConsole.messages({ filter: 'fault/in' }).map((m) => [JSON.parse(m.payload).seq, m.duplicate]))
    if (new Set(received.map(([seq]) => seq)).size === TOTAL_IN && new Set(fromPage).size === TOTAL_OUT) break
    await sleep(250)
  }
  const unique = new Set(received.map(([seq]) => seq))
  const seen = new Set()
  let duplicates = 0
  let unmarked = 0
  for (const [seq, marked] of received) {
    if (seen.has(seq)) { duplicates++; if (!marked) unmarked++ } else seen.add(seq)
  }
  const outUnique = new Set(fromPage)
  const reconnects = await page.getByTestId('timeline').getByText(/^Connected/).count()
  const report = {
    cuts,
    reconnects,
    in: { sent: TOTAL_IN, received: received.length, lost: TOTAL_IN - unique.size, duplicates, duplicatesNotMarked: unmarked },
    out: { sent: TOTAL_OUT, received: fromPage.length, lost: TOTAL_OUT - outUnique.size, duplicates: fromPage.length - outUnique.size, publishErrors: pageErrors.length },
    seconds: (Date.now() - started) / 1000
  }
  console.log(`fault report: ${JSON.stringify(report)}`)
  assert.equal(cuts, CUTS)
  assert.equal(report.in.lost, 0, 'no inbound message lost')
  assert.equal(report.out.lost, 0, 'no outbound message lost')
  assert.deepEqual(pageErrors, [])
  assert.equal(unmarked, 0, 'every inbound duplicate is marked')
  await page.evaluate(() => window.mqttConsole.disconnect())
  checker.end(true)
  publisher.end(true)
  assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  await context.close()
})
