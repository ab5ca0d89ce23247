// Walking skeleton, end to end: the built page in headless Chromium talks
// MQTT over WebSocket to the real aedes broker, with an mqtt.js client
// outside the page on the other side.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  brokerSiteAndBrowser, connectPage, openApp, outsideClient, subscribePage
} from './harness.mjs'

const env = brokerSiteAndBrowser({ wsPort: 19101, tcpPort: 11901 })

test('page receives what an outside client publishes, and publishes to it', async () => {
  const { page, problems } = await openApp(env.browser.context, env.site.url)
  assert.equal(await page.getByTestId('connection-status').getAttribute('data-status'), 'disconnected')

  await connectPage(page, env.broker.wsUrl)
  await subscribePage(page, 'device/+/details', 0)

  const outside = await outsideClient(env.broker.tcpUrl)
  const temp = '{"desiredTemp": 20, "currentTemp": 15}'
  const light = '{ "desiredLight": 100, "currentLight": 50 }'
  outside.publish('device/temp/details', temp)
  outside.publish('device/light/details', light)
  outside.publish('device/unrelated', 'must not match the filter')

  const tempRow = page.locator('[data-testid=message][data-topic="device/temp/details"]')
  const lightRow = page.locator('[data-testid=message][data-topic="device/light/details"]')
  await tempRow.waitFor({ timeout: 10000 })
  await lightRow.waitFor({ timeout: 10000 })
  assert.equal(await tempRow.getByTestId('message-payload').textContent(), temp)
  assert.equal(await lightRow.getByTestId('message-payload').textContent(), light)
  assert.equal(await tempRow.getByTestId('message-topic').textContent(), 'device/temp/details')
  assert.equal(await page.getByTestId('message').count(), 2, 'only the two matching messages')

  // Page → outside client.
  await new Promise((resolve, reject) => outside.subscribe('device/data', (error) => error ? reject(error) : resolve()))
  const received = new Promise((resolve) => outside.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })))
  const sent = '{"reading": 42, "unit": "°C"}'
  await page.getByTestId('publish-topic').fill('device/data')
  await page.getByTestId('publish-payload').fill(sent)
  await page.getByTestId('publish').click()
  assert.deepEqual(await received, { topic: 'device/data', payload: sent })

  await page.getByTestId('disconnect').click()
  await page.locator('[data-testid=connection-status][data-status=disconnected]').waitFor()
  outside.end(true)
  assert.deepEqual(problems, [], 'no page errors or console errors')
})

test('a URL that is not ws/wss is refused with a clear message', async () => {
  const { page } = await openApp(env.browser.context, env.site.url)
  await page.getByTestId('broker-url').fill('mqtt://127.0.0.1:1883')
  await page.getByTestId('connect').click()
  const error = await page.getByTestId('connection-error').textContent()
  assert.match(error, /'mqtt:\/\/' is not a WebSocket URL/)
  assert.equal(await page.getByTestId('connection-status').getAttribute('data-status'), 'disconnected')
})
