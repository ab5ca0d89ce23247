// The bad-input catalog (docs/bad-input-catalog.md), row by row, against the
// real page in headless Chromium: a scripted rogue broker sends broken bytes
// and the page must show a clear message, handle the connection
// deliberately, keep everything else (log, subscriptions, profiles), and
// never panic.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startRogueBroker } from '../fixtures/rogue-broker.mjs'
import { launchBrowser, openApp, serveDist } from './harness.mjs'

let rogue, site, browser

before(async () => {
  rogue = await startRogueBroker(19201, 'malformed-remaining-length')
  site = await serveDist()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await site?.stop()
  await rogue?.stop()
})

const timeline = (page) => page.getByTestId('timeline')
const statusOf = (page) => page.getByTestId('connection-status').getAttribute('data-status')

async function openRogue (scenario) {
  rogue.setScenario(scenario)
  const context = await browser.newContext()
  const { page, problems } = await openApp(context, site.url)
  await page.getByTestId('broker-url').fill(rogue.url)
  await page.getByTestId('profile-name').fill('Rogue')
  await page.getByTestId('profile-save').click()
  return { page, problems, context }
}

/** Connects, subscribes to t/#, waits for the good message. */
async function goodPhase (page) {
  await page.getByTestId('connect').click()
  await page.locator('[data-testid=connection-status][data-status=connected]').waitFor({ timeout: 10000 })
  await page.getByTestId('subscribe-filter').fill('t/#')
  await page.getByTestId('subscribe').click()
  await page.locator('[data-testid=message][data-topic="t/ok"]').first().waitFor({ timeout: 10000 })
}

/** Nothing the user had is lost, and the page never panicked. */
async function assertNothingLost (page, problems, { message = true } = {}) {
  if (message) assert.ok(await page.locator('[data-testid=message][data-topic="t/ok"]').count() >= 1, 'received message kept')
  assert.equal(await page.locator('[data-testid=subscription][data-filter="t/#"]').count(), 1, 'subscription kept')
  assert.equal(await page.getByTestId('profile-select').inputValue(), 'Rogue', 'profile kept')
  assert.equal(await page.evaluate(() => document.documentElement.dataset.panicked ?? null), null, 'no panic')
  assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [], 'no uncaught page errors')
}

const PROTOCOL_ROWS = [
  ['malformed-remaining-length', /length field is longer than the 4 bytes MQTT allows/],
  ['packet-too-large', /larger than this client's limit of [\d,]+ bytes; it was refused before being buffered/],
  ['length-crosses-boundary', /runs past the end of the packet/],
  ['reserved-flag-bits', /PUBACK with header flags 0b0001, but MQTT requires 0b0000/],
  ['invalid-utf8-topic', /topic (name )?is not valid UTF-8 \[MQTT-1\.5\.3-1\]/],
  ['wildcard-publish-topic', /contains a wildcard \('\+' or '#'\), which MQTT forbids \[MQTT-3\.3\.2-2\]/],
  ['text-frame', /text WebSocket frame; MQTT over WebSocket uses binary frames only/],
  ['suback-count-mismatch', /SUBACK/]
]

for (const [scenario, expected] of PROTOCOL_ROWS) {
  test(`protocol violation "${scenario}": explained, connection closed and retried, nothing lost`, async () => {
    const { page, problems, context } = await openRogue(scenario)
    if (scenario === 'suback-count-mismatch') {
      await page.getByTestId('connect').click()
      await page.locator('[data-testid=connection-status][data-status=connected]').waitFor({ timeout: 10000 })
      await page.getByTestId('subscribe-filter').fill('t/#')
      await page.getByTestId('subscribe').click()
    } else {
      await goodPhase(page)
    }
    await timeline(page).getByText(expected).first().waitFor({ timeout: 10000 })
    // Closed deliberately and retried with backoff.
    await page.locator('[data-testid=connection-status][data-status=reconnecting], [data-testid=connection-status][data-status=connecting]').first().waitFor({ timeout: 10000 })
    await timeline(page).getByText(/Reconnecting in/).first().waitFor({ timeout: 10000 })
    await assertNothingLost(page, problems, { message: scenario !== 'suback-count-mismatch' })
    await page.getByTestId('disconnect').click()
    await context.close()
  })
}

test('a PUBACK for an id never sent is a warning; the connection stays up', async () => {
  const { page, problems, context } = await openRogue('unknown-puback')
  await goodPhase(page)
  await timeline(page).getByText(/4660|0x1234/).first().waitFor({ timeout: 10000 })
  await page.waitForTimeout(500)
  assert.equal(await statusOf(page), 'connected')
  await assertNothingLost(page, problems)
  await page.getByTestId('disconnect').click()
  await context.close()
})

test('a burst of QoS 1 messages: each shown once and acknowledged once, in order, over coalesced frames', async () => {
  const { page, problems, context } = await openRogue('qos1-burst')
  const framesBefore = rogue.state.frames
  rogue.state.pubacks.length = 0
  await goodPhase(page)
  await page.locator('[data-testid=message][data-topic="t/q"]').first().waitFor({ timeout: 10000 })
  await page.waitForFunction(() => window.mqttConsole.messages('t/q').length === 50, null, { timeout: 10000 })
  const payloads = await page.evaluate(() => window.mqttConsole.messages('t/q').map((m) => m.payload))
  assert.deepEqual(payloads, Array.from({ length: 50 }, (_, i) => `n${i + 1}`))
  // Every PUBACK reaches the broker as a whole packet, in order, although
  // several share a WebSocket frame (how many depends on scheduling).
  for (let waited = 0; rogue.state.pubacks.length < 50 && waited < 5000; waited += 50) await page.waitForTimeout(50)
  assert.deepEqual(rogue.state.pubacks, Array.from({ length: 50 }, (_, i) => i + 1))
  const frames = rogue.state.frames - framesBefore
  console.log(`# 50 PUBACKs (+ CONNECT, SUBSCRIBE) arrived in ${frames} WebSocket frames`)
  assert.equal(await statusOf(page), 'connected')
  // The first message has scrolled out of the virtualized list: check the
  // log's count and the API instead of its row.
  await page.getByTestId('message-count').filter({ hasText: /^51$/ }).waitFor({ timeout: 5000 })
  assert.equal(await page.evaluate(() => window.mqttConsole.messages('t/ok').length), 1)
  await assertNothingLost(page, problems, { message: false })
  await page.getByTestId('disconnect').click()
  await context.close()
})

test('Disconnect sends DISCONNECT before closing (outgoing bytes are flushed on close)', async () => {
  const { page, problems, context } = await openRogue('well-behaved')
  await goodPhase(page)
  const before = rogue.state.received.length
  await page.getByTestId('disconnect').click()
  for (let waited = 0; !rogue.state.received.slice(before).includes(14) && waited < 5000; waited += 50) await page.waitForTimeout(50)
  assert.ok(rogue.state.received.slice(before).includes(14), 'the broker received DISCONNECT (type 14)')
  await page.locator('[data-testid=connection-status][data-status=disconnected]').waitFor({ timeout: 5000 })
  await assertNothingLost(page, problems)
  await context.close()
})

test('a broker that closes mid-packet: the partial packet is dropped, the close explained, retried', async () => {
  const { page, problems, context } = await openRogue('close-mid-packet')
  await goodPhase(page)
  await timeline(page).getByText(/Reconnecting in/).first().waitFor({ timeout: 10000 })
  const text = await timeline(page).textContent()
  assert.match(text, /clos/i)
  await assertNothingLost(page, problems)
  await page.getByTestId('disconnect').click()
  await context.close()
})

const REFUSALS = [
  ['connack-bad-credentials', /user ?name or password/i],
  ['connack-not-authorized', /not authori[sz]ed/i]
]

for (const [scenario, expected] of REFUSALS) {
  test(`connection refused "${scenario}": explained, profile intact, no tight retry loop`, async () => {
    const { page, problems, context } = await openRogue(scenario)
    const before = rogue.state.connections
    await page.getByTestId('connect').click()
    await timeline(page).getByText(expected).first().waitFor({ timeout: 10000 })
    await page.waitForTimeout(1500)
    // At most one retry within 1.5 s: never a tight loop.
    assert.ok(rogue.state.connections - before <= 2, `connections: ${rogue.state.connections - before}`)
    assert.equal(await page.getByTestId('profile-select').inputValue(), 'Rogue')
    assert.equal(await page.evaluate(() => document.documentElement.dataset.panicked ?? null), null)
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
    if (await statusOf(page) !== 'disconnected') await page.getByTestId('disconnect').click()
    await context.close()
  })
}

test('CONNACK with an unknown return code is a protocol error: explained, closed, retried with backoff', async () => {
  const { page, problems, context } = await openRogue('connack-unknown-code')
  await page.getByTestId('connect').click()
  await timeline(page).getByText(/return code 9, which MQTT 3\.1\.1 does not define/).first().waitFor({ timeout: 10000 })
  await timeline(page).getByText(/Reconnecting in/).first().waitFor({ timeout: 5000 })
  assert.equal(await page.getByTestId('profile-select').inputValue(), 'Rogue')
  assert.equal(await page.evaluate(() => document.documentElement.dataset.panicked ?? null), null)
  assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  await page.getByTestId('disconnect').click()
  await context.close()
})

test('a broker that sends nothing after the upgrade: connect timeout, explained, retried', async () => {
  const { page, problems, context } = await openRogue('silent-after-upgrade')
  await page.getByTestId('connect').click()
  await timeline(page).getByText(/CONNACK/).first().waitFor({ timeout: 20000 })
  await timeline(page).getByText(/Reconnecting in/).first().waitFor({ timeout: 5000 })
  assert.equal(await page.evaluate(() => document.documentElement.dataset.panicked ?? null), null)
  assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  await page.getByTestId('disconnect').click()
  await context.close()
})

test('a dead broker: the failed attempt is explained and retried with growing delays', async () => {
  const context = await browser.newContext()
  const { page, problems } = await openApp(context, site.url)
  await page.getByTestId('broker-url').fill('ws://127.0.0.1:19549/mqtt') // nothing listens there
  await page.getByTestId('connect').click()
  await timeline(page).getByText(/Reconnecting in/).nth(1).waitFor({ timeout: 15000 })
  const delays = (await timeline(page).getByText(/Reconnecting in/).allTextContents())
    .map((t) => Number(t.match(/in ([\d.]+) s/)[1]))
  assert.ok(delays.length >= 2)
  assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  await page.getByTestId('disconnect').click()
  await page.locator('[data-testid=connection-status][data-status=disconnected]').waitFor()
  await context.close()
})

test('user input is checked before sending: bad filter, wildcard topic, over-limit payload on an AWS profile', async () => {
  const context = await browser.newContext()
  const { page, problems } = await openApp(context, site.url)
  await page.getByTestId('subscribe-filter').fill('a/#/b')
  await page.getByTestId('subscribe').click()
  assert.match(await page.getByTestId('subscribe-error').textContent(), /#/)
  await page.getByTestId('subscribe-filter').fill('a/b+')
  await page.getByTestId('subscribe').click()
  assert.match(await page.getByTestId('subscribe-error').textContent(), /\+/)
  assert.equal(await page.getByTestId('subscription').count(), 0)

  // An AWS IoT profile (opened from a share link) applies AWS's limits.
  const dashboard = { version: 1, profile: { name: 'AWS', auth: 'awsKeys', brokerUrl: 'wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt' } }
  const link = `${site.url}#share=${Buffer.from(JSON.stringify(dashboard)).toString('base64url')}`
  // A fresh page: a fragment change alone does not reload the app.
  await page.close()
  const opened = await openApp(context, link)
  const awsPage = opened.page
  await awsPage.getByTestId('publish-payload').fill('x'.repeat(128 * 1024 + 1))
  assert.match(await awsPage.getByTestId('publish-payload-error').textContent(), /AWS IoT Core/)
  await awsPage.getByTestId('publish-topic').fill('a/b/c/d/e/f/g/h/i')
  assert.match(await awsPage.getByTestId('publish-topic-error').textContent(), /AWS IoT Core/)
  assert.equal(await awsPage.getByTestId('publish-qos').locator('option[value="2"]').count(), 0, 'no QoS 2 on AWS')
  assert.deepEqual([...problems, ...opened.problems].filter((p) => p.startsWith('pageerror')), [])
  await context.close()
})
