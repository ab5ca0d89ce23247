// Example: test a device from a headless browser through mqtt-console.
//
// The page plays the console's role (it connects, subscribes, sends
// commands and checks the answers through window.mqttConsole); the device
// is simulated by device.mjs, a small mqtt.js program answering commands on
// device/<id>/cmd with its status on device/<id>/status. Swap it for your
// real device, and point the test at your hosted console and broker:
//
//   MQTT_CONSOLE_URL=https://you.example/mqtt-console/ \
//   BROKER_WS_URL=wss://broker.example/mqtt \
//   DEVICE_BROKER_URL=mqtts://broker.example:8883 \
//   node --test examples/headless-device-test/
//
// Without those variables it starts the repository's dev broker and serves
// the built page (`trunk build --release` first; scripts/test.sh runs it).
// Tools: node --test and playwright-core driving Chromium (set CHROMIUM to
// its path if it is not /usr/bin/chromium), mqtt.js for the device.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { chromium } from 'playwright-core'
import { startDevice } from './device.mjs'

let page, browser, device
const stops = []

before(async () => {
  let consoleUrl = process.env.MQTT_CONSOLE_URL
  let brokerWsUrl = process.env.BROKER_WS_URL
  let deviceBrokerUrl = process.env.DEVICE_BROKER_URL ?? brokerWsUrl
  if (!consoleUrl || !brokerWsUrl) {
    // Local fixtures from the repository's own end-to-end harness.
    const { serveDist, startBroker } = await import('../../tests/e2e/harness.mjs')
    const broker = await startBroker({ wsPort: 19177, tcpPort: 11977 })
    const site = await serveDist()
    stops.push(() => site.stop(), () => broker.stop())
    consoleUrl = site.url
    brokerWsUrl = broker.wsUrl
    deviceBrokerUrl = broker.tcpUrl
  }
  device = await startDevice({ brokerUrl: deviceBrokerUrl })

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']
  })
  page = await browser.newPage()
  page.on('pageerror', (error) => console.error('page error:', error.message))

  // One URL: connect to the broker and subscribe to every device's status.
  const query = new URLSearchParams({ url: brokerWsUrl, connect: '1', qos: '1' })
  await page.goto(`${consoleUrl}?${query}&subscribe=device/%2B/status`)
  await page.waitForFunction(() => window.mqttConsole)
  await page.evaluate(() => window.mqttConsole.ready()) // connected and subscribed
})

after(async () => {
  await browser?.close()
  await device?.stop()
  for (const stop of stops) await stop()
})

/** Runs `mqttConsole[name](...args)` in the page. */
const mqttConsole = (name, ...args) =>
  page.evaluate(([name, args]) => window.mqttConsole[name](...args), [name, args])

test('the device reports its status when asked', async () => {
  await mqttConsole('clear')
  await mqttConsole('publish', 'device/42/cmd', { cmd: 'status' }, { qos: 1 })
  const reply = await mqttConsole('waitForMessage',
    { topic: 'device/42/status', jsonPath: '$.status', equals: 'ok' }, 5000)
  assert.equal(reply.json.temp, 21.5)
  assert.equal(typeof reply.json.uptime, 'number')
})

test('the device applies a new set point', async () => {
  await mqttConsole('publish', 'device/7/cmd', '{"cmd": "set", "temp": 19}', { qos: 1 })
  const reply = await mqttConsole('waitForMessage',
    { topic: 'device/7/status', jsonPath: 'temp', equals: 19, fromNow: false }, 5000)
  assert.equal(reply.json.status, 'ok')
  // Everything the page received on device 7, oldest first.
  const received = await mqttConsole('messages', { filter: 'device/7/#' })
  assert.deepEqual(received.map((m) => m.json.temp), [19])
})

test('an unknown command is answered with an error', async () => {
  await mqttConsole('publish', 'device/42/cmd', { cmd: 'dance' })
  const reply = await mqttConsole('waitForMessage',
    { topic: 'device/42/status', contains: 'unknown command' }, 5000)
  assert.equal(reply.json.status, 'error')
})

test('device checks: one report for the whole acceptance list', async () => {
  const report = await mqttConsole('runChecks', [
    {
      name: 'status is ok',
      publish: { topic: 'device/42/cmd', payload: { cmd: 'status' }, qos: 1 },
      expect: { topic: 'device/42/status', jsonPath: '$.status', equals: 'ok' },
      withinMs: 3000
    },
    {
      name: 'back online after a reboot',
      publish: { topic: 'device/42/cmd', payload: { cmd: 'reboot' } },
      expect: { topic: 'device/42/status', jsonPath: '$.uptime', equals: 0 },
      withinMs: 3000
    }
  ])
  assert.ok(report.passed, `${report.summary}\n${report.results.map((r) => `${r.name}: ${r.detail}`).join('\n')}`)
})

test('a silent device fails with an explanation', async () => {
  await assert.rejects(
    mqttConsole('waitForMessage', { topic: 'device/99/status', fromNow: true }, 500),
    /timed out after 500 ms waiting for a message on "device\/99\/status"; no message arrived/)
})
