// The automation API (window.mqttConsole) and URL parameters, end to end:
// the built page in headless Chromium against the real aedes broker, with
// mqtt.js outside the page. See docs/automation.md.

import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, test } from 'node:test'
import { Aedes } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'
import { launchBrowser, openApp, outsideClient, serveDist, startBroker } from './harness.mjs'

let broker, strict, site, browser

/**
 * An in-process aedes broker that refuses: CONNECT with username `bad`
 * (CONNACK 4) and SUBSCRIBE to `forbidden/#` (SUBACK 0x80).
 */
async function startStrictBroker () {
  const aedes = await Aedes.createBroker({
    authenticate: (_client, username, _password, callback) => {
      if (username === 'bad') {
        const error = new Error('bad user name or password')
        error.returnCode = 4
        return callback(error, null)
      }
      callback(null, true)
    },
    authorizeSubscribe: (_client, subscription, callback) => {
      if (subscription.topic.startsWith('forbidden/')) return callback(null, null) // SUBACK 0x80
      callback(null, subscription)
    }
  })
  const server = createServer()
  const wss = new WebSocketServer({ server, path: '/mqtt', handleProtocols: (p) => (p.has('mqtt') ? 'mqtt' : false) })
  wss.on('connection', (socket) => aedes.handle(createWebSocketStream(socket)))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    wsUrl: `ws://127.0.0.1:${server.address().port}/mqtt`,
    stop: async () => {
      for (const client of wss.clients) client.terminate()
      await new Promise((resolve) => wss.close(resolve))
      await new Promise((resolve) => server.close(resolve))
      await new Promise((resolve) => aedes.close(resolve))
    }
  }
}

before(async () => {
  broker = await startBroker({ wsPort: 19131, tcpPort: 11931 })
  strict = await startStrictBroker()
  site = await serveDist()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await site?.stop()
  await strict?.stop()
  await broker?.stop()
})

/**
 * Page errors and console errors, except CSP reports about inline styles
 * (other panels' business; covered by their own tests).
 */
function pageProblems (problems) {
  return problems.filter((text) => !text.includes("Content Security Policy directive 'style-src"))
}

/** A page with empty storage and the API ready. */
async function freshPage (query = '') {
  const opened = await openApp(browser.context, site.url)
  await opened.page.evaluate(() => localStorage.clear())
  if (query) {
    await opened.page.goto(site.url + query)
  } else {
    await opened.page.reload()
  }
  await opened.page.getByTestId('connection-status').waitFor()
  await opened.page.waitForFunction(() => window.mqttConsole)
  return opened
}

/** Calls `mqttConsole[name](...args)` in the page. */
function api (page, name, ...args) {
  return page.evaluate(([name, args]) => window.mqttConsole[name](...args), [name, args])
}

/** Resolves with the first message on `topic` the outside client receives. */
function nextOutside (client, topic) {
  return new Promise((resolve) => {
    const onMessage = (received, payload, packet) => {
      if (received !== topic) return
      client.off('message', onMessage)
      resolve({ payload, retain: packet.retain, qos: packet.qos })
    }
    client.on('message', onMessage)
  })
}

async function waitForStatus (page, status) {
  await page.locator(`[data-testid=connection-status][data-status=${status}]`).waitFor({ timeout: 10000 })
}

test('connect, subscribe, waitForMessage (every matcher), messages, clear, state, disconnect', async () => {
  const { page, problems } = await freshPage()
  assert.equal(await api(page, 'state'), 'disconnected')
  assert.equal(typeof await page.evaluate(() => window.mqttConsole.version), 'string')
  await page.evaluate(() => {
    window.seenStates = []
    window.stopWatching = window.mqttConsole.onStateChange((state) => window.seenStates.push(state))
  })

  assert.deepEqual(await api(page, 'connect', { url: broker.wsUrl, clientId: 'api-test-main' }), { sessionPresent: false })
  assert.equal(await api(page, 'state'), 'connected')
  await waitForStatus(page, 'connected')

  assert.equal(await api(page, 'subscribe', 'device/+/status', 1), 1)
  await page.locator('[data-testid=subscription][data-filter="device/+/status"][data-status=granted]').waitFor()

  const outside = await outsideClient(broker.tcpUrl)
  await outside.publishAsync('device/7/status', '{"status":"busy"}', { qos: 1 })
  await outside.publishAsync('device/7/status', '{"status":"ok","temp":21.5,"readings":[1,2,3]}', { qos: 1 })
  await outside.publishAsync('device/8/status', 'plain text OK', { qos: 0 })
  await outside.publishAsync('device/8/other', 'not subscribed', { qos: 0 })

  const ok = await api(page, 'waitForMessage', { topic: 'device/+/status', jsonPath: '$.status', equals: 'ok' }, 5000)
  assert.equal(ok.topic, 'device/7/status')
  assert.equal(ok.qos, 1)
  assert.equal(ok.retain, false)
  assert.equal(ok.duplicate, false)
  assert.equal(ok.json.temp, 21.5)
  assert.equal(typeof ok.receivedAt, 'number')
  assert.equal(ok.seq, 2)

  // Numbers compare by value; paths take indices; contains; regex as RegExp or string.
  assert.equal((await api(page, 'waitForMessage', { topic: 'device/7/status', jsonPath: 'temp', equals: 21.50 })).seq, 2)
  assert.equal((await api(page, 'waitForMessage', { topic: 'device/7/status', jsonPath: '$.readings[-1]', equals: 3.0 })).seq, 2)
  assert.equal((await api(page, 'waitForMessage', { topic: 'device/+/status', contains: 'text' })).topic, 'device/8/status')
  assert.equal(await page.evaluate(() => window.mqttConsole.waitForMessage({ topic: 'device/#', regex: /^plain text ok$/i }).then((m) => m.payload)), 'plain text OK')
  assert.equal((await api(page, 'waitForMessage', { topic: 'device/#', regex: '"status":"busy"' })).seq, 1)
  // `bytes` carries the raw payload.
  assert.deepEqual(await page.evaluate(() => window.mqttConsole.waitForMessage({ topic: 'device/8/status' })
    .then((m) => m.bytes instanceof Uint8Array && Array.from(m.bytes.slice(0, 5)))), [112, 108, 97, 105, 110])

  const all = await api(page, 'messages')
  assert.deepEqual(all.map((m) => m.topic), ['device/7/status', 'device/7/status', 'device/8/status'])
  assert.equal((await api(page, 'messages', { filter: 'device/8/#' })).length, 1)
  assert.equal((await api(page, 'messages', 'device/7/status')).length, 2)
  await assert.rejects(api(page, 'messages', { filter: 'a/#/b' }), /mqttConsole\.messages: invalid topic filter "a\/#\/b"/)

  await api(page, 'clear')
  assert.deepEqual(await api(page, 'messages'), [])
  await page.locator('[data-testid=message-count]', { hasText: /^0$/ }).waitFor()

  await api(page, 'disconnect')
  assert.equal(await api(page, 'state'), 'disconnected')
  await waitForStatus(page, 'disconnected')
  const states = await page.evaluate(() => window.seenStates)
  assert.deepEqual(states.filter((s) => s !== 'connecting'), ['connected', 'disconnected'])
  assert.ok(states.includes('connecting'), states.join())
  await page.evaluate(() => window.stopWatching())

  await outside.endAsync()
  await page.close()
  assert.deepEqual(pageProblems(problems), [])
})

test('publish: text, bytes and JSON payloads; resolves once sent or acknowledged', async () => {
  const { page, problems } = await freshPage()
  const outside = await outsideClient(broker.tcpUrl)
  await outside.subscribeAsync('page/#', { qos: 2 })
  await api(page, 'connect', { url: broker.wsUrl })

  let arrived = nextOutside(outside, 'page/text')
  assert.equal(await api(page, 'publish', 'page/text', 'héllo'), undefined)
  assert.equal((await arrived).payload.toString(), 'héllo')

  arrived = nextOutside(outside, 'page/bytes')
  await page.evaluate(() => window.mqttConsole.publish('page/bytes', new Uint8Array([0, 1, 255]), { qos: 1 }))
  const bytes = await arrived
  assert.deepEqual([...bytes.payload], [0, 1, 255])
  assert.equal(bytes.qos, 1)

  arrived = nextOutside(outside, 'page/json')
  await api(page, 'publish', 'page/json', { n: 1, ok: true }, { qos: 2, retain: true })
  assert.equal((await arrived).payload.toString(), '{"n":1,"ok":true}')
  // Retained: a later subscriber gets it.
  const later = await outsideClient(broker.tcpUrl)
  const retained = nextOutside(later, 'page/json')
  await later.subscribeAsync('page/json')
  assert.equal((await retained).retain, true)
  await api(page, 'publish', 'page/json', '', { retain: true }) // clears the retained message

  await assert.rejects(api(page, 'publish', 'page/+', 'x'), /mqttConsole\.publish: cannot publish to topic `page\/\+`/)
  await assert.rejects(api(page, 'publish', 'page/x', 'x', { qos: 3 }), /QoS must be 0, 1 or 2, not 3/)
  await assert.rejects(api(page, 'publish', 'page/x', 'x', { qos: 1, retained: true }), /unknown field `retained`/)

  await api(page, 'disconnect')
  await assert.rejects(api(page, 'publish', 'page/x', 'x'), /not connected: call mqttConsole\.connect/)
  await later.endAsync()
  await outside.endAsync()
  await page.close()
  assert.deepEqual(pageProblems(problems), [])
})

test('waitForMessage: fromNow, and a timeout that says what arrived', async () => {
  const { page } = await freshPage()
  await api(page, 'connect', { url: broker.wsUrl })
  await api(page, 'subscribe', 'sensor/#', 0)
  const outside = await outsideClient(broker.tcpUrl)

  await outside.publishAsync('sensor/1', '{"v":1}')
  assert.equal((await api(page, 'waitForMessage', { topic: 'sensor/1' })).json.v, 1)

  // fromNow ignores what already arrived.
  await page.evaluate(() => {
    window.pending = window.mqttConsole.waitForMessage({ topic: 'sensor/1', fromNow: true }, 5000)
  })
  await outside.publishAsync('sensor/1', '{"v":2}')
  assert.equal(await page.evaluate(() => window.pending.then((m) => m.json.v)), 2)

  await assert.rejects(
    api(page, 'waitForMessage', { topic: 'sensor/1', jsonPath: '$.v', equals: 3 }, 300),
    (error) => {
      assert.match(error.message, /mqttConsole\.waitForMessage: timed out after 300 ms waiting for a message on "sensor\/1" whose \$\.v equals 3; 2 messages arrived on "sensor\/1" but none matched; the last, on "sensor\/1", was \{"v":2\}: \$\.v is 2, not 3 since the last clear\(\)/)
      return true
    })
  await assert.rejects(api(page, 'waitForMessage', { topic: 'sensor/2' }, 200),
    /timed out after 200 ms waiting for a message on "sensor\/2"; no message arrived on "sensor\/2" since the last clear\(\)/)
  await assert.rejects(api(page, 'waitForMessage', { topic: 'sensor/1', fromNow: true }, 200),
    /no message arrived on "sensor\/1" since the call/)
  await assert.rejects(api(page, 'waitForMessage', { topic: 'sensor/1', jsonpath: '$.v' }), /unknown field `jsonpath`/)
  await assert.rejects(api(page, 'waitForMessage', { topic: 'sensor/1', regex: '(' }), /invalid regex \/\(\//)
  await assert.rejects(api(page, 'waitForMessage', { topic: 'sensor/1', jsonPath: '$..v' }), /invalid jsonPath `\$\.\.v`/)
  await assert.rejects(api(page, 'waitForMessage', { topic: 'sensor/1' }, -5), /timeoutMs must be a whole number/)

  await outside.endAsync()
  await page.close()
})

test('errors reject with clear messages: bad input, dead port, not connected', async () => {
  const { page } = await freshPage()
  await assert.rejects(api(page, 'subscribe', 'a/b', 0), /mqttConsole\.subscribe: not connected: call mqttConsole\.connect\(\.\.\.\) first/)
  await assert.rejects(api(page, 'connect'), /mqttConsole\.connect: give a connection profile/)
  await assert.rejects(api(page, 'connect', 'mqtt://127.0.0.1:1883'), /'mqtt:\/\/' is not a WebSocket URL/)
  await assert.rejects(api(page, 'connect', { url: broker.wsUrl, clientid: 'typo' }), /mqttConsole\.connect: a connection profile \(\{url, …\} or \{profile, …\}\): unknown field `clientid`, expected one of `url`, `profile`, `clientId`, `username`, `password`, `keepAlive`, `cleanSession`, `timeoutMs`/)
  await assert.rejects(api(page, 'connect', { url: broker.wsUrl, keepAlive: 70000 }), /keepAlive|70000/)
  await assert.rejects(api(page, 'connect', { url: broker.wsUrl, password: 'secret' }), /password only together with a user name/)

  // Nothing listens on port 9: the first attempt fails and the console stops retrying.
  await assert.rejects(api(page, 'connect', { url: 'ws://127.0.0.1:9/mqtt' }), (error) => {
    assert.match(error.message, /mqttConsole\.connect: could not connect to ws:\/\/127\.0\.0\.1:9\/mqtt: /)
    return true
  })
  await waitForStatus(page, 'disconnected')
  assert.equal(await api(page, 'state'), 'disconnected')

  // A connect that cannot finish in time.
  await assert.rejects(api(page, 'connect', { url: 'ws://10.255.255.1:9/mqtt', timeoutMs: 300 }),
    /could not connect to ws:\/\/10\.255\.255\.1:9\/mqtt: not connected to ws:\/\/10\.255\.255\.1:9\/mqtt within 300 ms|could not connect to ws:\/\/10\.255\.255\.1:9\/mqtt/)
  await waitForStatus(page, 'disconnected')

  await api(page, 'connect', broker.wsUrl) // a string is the URL
  await assert.rejects(api(page, 'subscribe', 'a/#/b', 1), /mqttConsole\.subscribe: invalid topic filter `a\/#\/b`/)
  await assert.rejects(api(page, 'subscribe', 'a/b', 5), /QoS must be 0, 1 or 2, not 5/)
  await assert.rejects(api(page, 'subscribe', 42), /give a topic filter/)
  await assert.rejects(api(page, 'runChecks'), /give an array of checks/)
  await api(page, 'disconnect')
  await page.close()
})

test('broker refusals: CONNACK return code and SUBACK 0x80', async () => {
  const { page } = await freshPage()
  await assert.rejects(api(page, 'connect', { url: strict.wsUrl, username: 'bad', password: 'x' }),
    /mqttConsole\.connect: could not connect to .*: the broker refused the connection: /)
  await waitForStatus(page, 'disconnected')

  await api(page, 'connect', { url: strict.wsUrl, username: 'good', password: 'pw' })
  await assert.rejects(api(page, 'subscribe', 'forbidden/x', 1), /the broker refused the subscription to "forbidden\/x"/)
  await page.locator('[data-testid=subscription][data-filter="forbidden/x"][data-status=rejected]').waitFor()
  assert.equal(await api(page, 'subscribe', 'allowed/x', 2), 2)
  await api(page, 'unsubscribe', 'allowed/x')
  assert.equal(await page.locator('[data-testid=subscription][data-filter="allowed/x"]').count(), 0)
  await api(page, 'disconnect')
  await page.close()
})

test('URL parameters connect and subscribe; secrets are refused', async () => {
  const query = `?url=${encodeURIComponent(broker.wsUrl)}&connect=1&clientId=url-test` +
    '&subscribe=device/+/details&subscribe=alarm%2F%23&qos=1'
  const { page, problems } = await freshPage(query)
  await page.evaluate(() => window.mqttConsole.ready())
  await waitForStatus(page, 'connected')
  await page.locator('[data-testid=subscription][data-filter="device/+/details"][data-status=granted]').waitFor()
  await page.locator('[data-testid=subscription][data-filter="alarm/#"][data-status=granted]').waitFor()

  const outside = await outsideClient(broker.tcpUrl)
  await outside.publishAsync('alarm/fire', '{"level": 3}', { qos: 1 })
  const message = await api(page, 'waitForMessage', { topic: 'alarm/#', jsonPath: 'level', equals: 3 })
  assert.equal(message.qos, 1)
  await api(page, 'disconnect')
  await page.close()
  assert.deepEqual(pageProblems(problems), [])

  // A password in the URL is ignored, with a warning.
  const withSecret = await freshPage(`?url=${encodeURIComponent(broker.wsUrl)}&connect=1&username=u&password=hunter2`)
  await withSecret.page.evaluate(() => window.mqttConsole.ready())
  await withSecret.page.getByTestId('timeline').getByText(/password parameter is ignored/).waitFor()
  await api(withSecret.page, 'disconnect')
  await withSecret.page.close()

  // Without connect=1 the filters are listed, to be subscribed on Connect.
  const listed = await freshPage('?subscribe=home/%2B/temp')
  await listed.page.locator('[data-testid=subscription][data-filter="home/+/temp"]').waitFor()
  assert.equal(await api(listed.page, 'state'), 'disconnected')
  await listed.page.close()

  // Mistakes are reported on the timeline and by ready().
  const broken = await freshPage('?connect=1&subscribe=a/%23/b')
  await assert.rejects(broken.page.evaluate(() => window.mqttConsole.ready()), /URL parameters: subscribe=a\/#\/b: /)
  await broken.page.getByTestId('timeline').getByText(/URL parameters: subscribe=a\/#\/b/).waitFor()
  await broken.page.close()
  const unknown = await freshPage('?connect=1&profile=nope')
  await assert.rejects(unknown.page.evaluate(() => window.mqttConsole.ready()), /no saved profile named "nope" \(saved: "Local broker"\)/)
  await unknown.page.close()
  await outside.endAsync()
})

test('saved profiles: connect by name through the API and the URL', async () => {
  const { page } = await freshPage()
  const workspace = {
    version: 1,
    profiles: [
      { name: 'Local broker', brokerUrl: 'ws://127.0.0.1:9001/mqtt' },
      { name: 'Strict broker', brokerUrl: strict.wsUrl, username: 'good', clientId: 'saved-profile' }
    ],
    selected: 'Local broker'
  }
  await page.evaluate((json) => localStorage.setItem('mqtt-console.workspace.v1', json), JSON.stringify(workspace))
  await page.reload()
  await page.waitForFunction(() => window.mqttConsole)

  await assert.rejects(api(page, 'connect', { profile: 'Strict broker', url: broker.wsUrl }), /either a saved profile .* or a url/)
  await assert.rejects(api(page, 'connect', { profile: 'Missing' }), /no saved profile named "Missing" \(saved: "Local broker", "Strict broker"\)/)
  await api(page, 'connect', { profile: 'Strict broker', password: 'pw' })
  assert.equal(await api(page, 'state'), 'connected')
  assert.equal(await page.getByTestId('broker-url').inputValue(), strict.wsUrl, 'the form shows the profile')
  await api(page, 'disconnect')

  // One URL: pick the saved profile, connect, subscribe.
  await page.goto(`${site.url}?profile=${encodeURIComponent('Strict broker')}&connect=1&subscribe=allowed/%23`)
  await page.waitForFunction(() => window.mqttConsole)
  await page.evaluate(() => window.mqttConsole.ready())
  await page.locator('[data-testid=subscription][data-filter="allowed/#"][data-status=granted]').waitFor()
  await api(page, 'disconnect')

  // A share link (profile and subscriptions, no secrets) plus connect=1.
  const dashboard = {
    version: 1,
    profile: { name: 'Shared strict', brokerUrl: strict.wsUrl, username: 'good' },
    subscriptions: [{ filter: 'shared/#', qos: 1, color: '#2563eb', alias: '', enabled: true }]
  }
  const fragment = Buffer.from(JSON.stringify(dashboard)).toString('base64url')
  await page.evaluate(() => localStorage.clear())
  await page.goto(`${site.url}?connect=1#share=${fragment}`)
  await page.waitForFunction(() => window.mqttConsole)
  await page.evaluate(() => window.mqttConsole.ready())
  assert.equal(await api(page, 'state'), 'connected')
  await page.locator('[data-testid=subscription][data-filter="shared/#"][data-status=granted]').waitFor()
  await api(page, 'disconnect')
  await page.close()
})

/**
 * Connects the page (client id `api-transport-NAME`), checks where its
 * socket and timers run, then sends 300 QoS 1 messages from outside, as fast
 * as mqtt.js can, and checks the page received each once, in order, and the
 * broker got every PUBACK (the outside client's publishes all resolved).
 */
async function burstArrivesInOrder (page, name, transport, options = {}) {
  await api(page, 'connect', { url: broker.wsUrl, clientId: `api-transport-${name}`, ...options })
  assert.deepEqual(await api(page, 'transport'), transport)
  const topic = `transport/${name}`
  assert.equal(await api(page, 'subscribe', topic, 1), 1)
  const outside = await outsideClient(broker.tcpUrl)
  await Promise.all(Array.from({ length: 300 }, (_, i) => outside.publishAsync(topic, `n${i}`, { qos: 1 })))
  await api(page, 'waitForMessage', { topic, contains: 'n299' }, 10000)
  const payloads = (await api(page, 'messages', topic)).map((m) => m.payload)
  assert.deepEqual(payloads, Array.from({ length: 300 }, (_, i) => `n${i}`))
  await outside.endAsync()
}

const IN_WORKERS = { socket: 'worker', timers: 'worker' }
const ON_MAIN_THREAD = { socket: 'main thread', timers: 'main thread' }

test('transport: the WebSocket lives in a worker; without workers, on the main thread', { timeout: 120000 }, async () => {
  const { page, problems } = await freshPage()
  assert.deepEqual(await api(page, 'transport'), { socket: null, timers: 'worker' })
  await burstArrivesInOrder(page, 'worker', IN_WORKERS)
  await api(page, 'disconnect')
  assert.deepEqual(pageProblems(problems), [])
  await page.close()

  // A page where no worker can start (as under a policy without
  // `worker-src blob:`) keeps the socket and the timers on the main thread.
  const context = await browser.browser.newContext()
  await context.addInitScript(() => { window.Worker = undefined })
  const fallback = await openApp(context, site.url)
  await fallback.page.waitForFunction(() => window.mqttConsole)
  await burstArrivesInOrder(fallback.page, 'main', ON_MAIN_THREAD)
  await api(fallback.page, 'disconnect')
  assert.deepEqual(pageProblems(fallback.problems), [])
  await context.close()

  // A host whose policy refuses workers (a header on top of the page's own
  // policy): the browser refuses them, and the app carries on without.
  const strictSite = await serveDist({ headers: { 'content-security-policy': "worker-src 'none'" } })
  try {
    const refused = await openApp(browser.context, strictSite.url)
    await refused.page.waitForFunction(() => window.mqttConsole)
    await burstArrivesInOrder(refused.page, 'csp', ON_MAIN_THREAD, { keepAlive: 1 })
    // Keepalive timers still fire (the worker's pending ones moved to the
    // main thread): the broker, which drops a client silent for 1.5 s,
    // keeps this one through 3.5 s without traffic.
    await refused.page.evaluate(() => { window.changes = []; window.mqttConsole.onStateChange((s) => window.changes.push(s)) })
    await new Promise((resolve) => setTimeout(resolve, 3500))
    assert.deepEqual(await refused.page.evaluate(() => window.changes), [])
    assert.equal(await api(refused.page, 'state'), 'connected')
    await api(refused.page, 'disconnect')
    // The browser reports each refused worker; nothing else may go wrong.
    assert.deepEqual(pageProblems(refused.problems).filter((text) => !text.includes("worker-src 'none'")), [])
    await refused.page.close()
  } finally {
    await strictSite.stop()
  }
})
