// Profiles, import/export, share links, subscriptions and the publish panel,
// in the built page in headless Chromium against the real env.broker.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import {
  brokerSiteAndBrowser, connectPage, openApp, outsideClient, subscribePage
} from './harness.mjs'

const env = brokerSiteAndBrowser({ wsPort: 19102, tcpPort: 11902 })

/** A fresh browser context (empty storage) with the app open. */
async function freshApp (url = env.site.url) {
  const context = await env.browser.newContext()
  return { context, ...(await openApp(context, url)) }
}

async function storageDump (page) {
  return page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))
}

test('a saved profile survives a reload; secrets stay out of storage unless remembered', async () => {
  const { page, problems } = await freshApp()
  await page.getByTestId('broker-url').fill('ws://127.0.0.1:19102/mqtt')
  await page.getByTestId('keep-alive').fill('45')
  await page.getByTestId('username').fill('operator')
  await page.getByTestId('password').fill('s3cret-PASSWORD-1')
  await page.getByTestId('profile-name').fill('Plant A')
  await page.getByTestId('profile-save').click()
  await page.getByText('Saved "Plant A".').waitFor()
  assert.ok(!(await storageDump(page)).includes('s3cret-PASSWORD-1'), 'password not stored by default')

  await page.reload()
  await page.getByTestId('connection-status').waitFor()
  assert.equal(await page.getByTestId('profile-select').inputValue(), 'Plant A')
  assert.equal(await page.getByTestId('broker-url').inputValue(), 'ws://127.0.0.1:19102/mqtt')
  assert.equal(await page.getByTestId('keep-alive').inputValue(), '45')
  assert.equal(await page.getByTestId('username').inputValue(), 'operator')
  assert.equal(await page.getByTestId('password').inputValue(), '', 'password forgotten on reload')

  // Opt in for this tab: remembered across a reload (never in localStorage),
  // and opting out removes it again at once.
  assert.match(await page.getByTestId('remember-explained').textContent(), /memory only/)
  await page.getByTestId('remember-mode').selectOption('tab')
  assert.match(await page.getByTestId('remember-explained').textContent(), /this tab only/)
  await page.getByTestId('password').fill('s3cret-PASSWORD-2')
  await page.waitForFunction(() => JSON.stringify({ ...sessionStorage }).includes('s3cret-PASSWORD-2'))
  assert.ok(!(await page.evaluate(() => JSON.stringify({ ...localStorage }))).includes('s3cret-PASSWORD-2'))
  await page.reload()
  await page.getByTestId('connection-status').waitFor()
  assert.equal(await page.getByTestId('password').inputValue(), 's3cret-PASSWORD-2')
  await page.getByTestId('remember-mode').selectOption('off')
  await page.waitForFunction(() => !(JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })).includes('s3cret-PASSWORD-2'))
  assert.deepEqual(problems, [])
})

test('rename, duplicate and delete profiles', async () => {
  const { page } = await freshApp()
  const options = async () => page.getByTestId('profile-select').locator('option').allTextContents()
  await page.getByTestId('profile-name').fill('Line 1')
  await page.getByTestId('profile-save').click()
  await page.getByTestId('profile-name').fill('Line 2')
  await page.getByTestId('profile-rename').click()
  await page.getByText('Renamed to "Line 2".').waitFor()
  assert.deepEqual((await options()).sort(), ['Line 2', 'Local broker'])

  await page.getByTestId('profile-duplicate').click()
  await page.getByText('Created "Line 2 (copy)".').waitFor()
  assert.equal(await page.getByTestId('profile-select').inputValue(), 'Line 2 (copy)')

  // Renaming onto an existing name is refused with a reason.
  await page.getByTestId('profile-name').fill('Local broker')
  await page.getByTestId('profile-rename').click()
  await page.getByText('A profile named "Local broker" already exists').waitFor()

  await page.getByTestId('profile-delete').click()
  await page.getByText('Deleted "Line 2 (copy)".').waitFor()
  assert.deepEqual((await options()).sort(), ['Line 2', 'Local broker'])
})

test('export and import round-trip profiles and subscriptions, without secrets', async () => {
  const { page } = await freshApp()
  await page.getByTestId('broker-url').fill('wss://env.broker.example.com:8884/mqtt')
  await page.getByTestId('username').fill('exporter')
  await page.getByTestId('password').fill('never-export-me')
  await page.getByTestId('profile-name').fill('Exported')
  await page.getByTestId('profile-save').click()
  await page.getByTestId('subscribe-filter').fill('factory/+/alarms')
  await page.getByTestId('subscribe-alias').fill('alarms')
  await page.getByTestId('subscribe').click()
  await page.locator('[data-testid=subscription][data-filter="factory/+/alarms"]').waitFor()

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('workspace-export').click()
  ])
  const file = await download.path()
  const text = readFileSync(file, 'utf8')
  assert.ok(!text.includes('never-export-me'), 'no secret in the exported file')
  const exported = JSON.parse(text)
  assert.equal(exported.version, 1)
  assert.ok(exported.profiles.some((p) => p.name === 'Exported' && p.brokerUrl === 'wss://env.broker.example.com:8884/mqtt'))
  assert.ok(exported.subscriptions.some((s) => s.filter === 'factory/+/alarms' && s.alias === 'alarms'))

  // Import into a clean page.
  await page.evaluate(() => localStorage.clear())
  await page.reload()
  await page.getByTestId('connection-status').waitFor()
  assert.equal(await page.getByTestId('subscription').count(), 0)
  await page.getByTestId('workspace-import').setInputFiles(file)
  await page.getByText('Imported 1 new profile(s); 1 already saved; 1 new subscription(s), 0 new template(s). Nothing saved was overwritten.').waitFor()
  await page.getByTestId('profile-select').selectOption('Exported')
  assert.equal(await page.getByTestId('broker-url').inputValue(), 'wss://env.broker.example.com:8884/mqtt')
  await page.locator('[data-testid=subscription][data-filter="factory/+/alarms"]').waitFor()

  // A file whose profile has a saved profile's name never overwrites it.
  const clash = JSON.stringify({ version: 1, profiles: [{ name: 'Exported', brokerUrl: 'wss://elsewhere.example/mqtt' }] })
  await page.getByTestId('workspace-import').setInputFiles({ name: 'clash.json', mimeType: 'application/json', buffer: Buffer.from(clash) })
  await page.getByText(/"Exported" as "Exported \(imported\)".*Nothing saved was overwritten/).waitFor()
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('mqtt-console.workspace.v1')))
  assert.equal(stored.profiles.find((p) => p.name === 'Exported').brokerUrl, 'wss://env.broker.example.com:8884/mqtt')
  assert.equal(stored.profiles.find((p) => p.name === 'Exported (imported)').brokerUrl, 'wss://elsewhere.example/mqtt')

  // A file that is not a workspace is refused with a reason; nothing is lost.
  await page.getByTestId('workspace-import').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') })
  await page.getByText(/Import failed: This is not an mqtt-console workspace file/).waitFor()
  assert.equal(await page.getByTestId('subscription').count(), 1)
})

test('a share link restores the dashboard, carries no secret, and asks for the missing one', async () => {
  const { page } = await freshApp()
  await page.getByTestId('broker-url').fill(env.broker.wsUrl)
  await page.getByTestId('client-id').fill('my-own-client-id')
  await page.getByTestId('username').fill('team')
  await page.getByTestId('password').fill('team-password-XYZ')
  await page.getByTestId('profile-name').fill('Team dashboard')
  await page.getByTestId('profile-save').click()
  await page.getByTestId('subscribe-filter').fill('plant/+/temp')
  await page.getByTestId('subscribe-qos').selectOption('1')
  await page.getByTestId('subscribe').click()
  await page.getByTestId('share-link').click()
  const link = await page.getByTestId('share-link-output').inputValue()
  assert.match(link, /#share=/)
  assert.ok(!link.includes('team-password-XYZ'))
  const decoded = Buffer.from(link.split('#share=')[1], 'base64url').toString()
  assert.ok(!decoded.includes('team-password-XYZ'), 'no secret inside the encoded link')
  assert.ok(!decoded.includes('my-own-client-id'), 'client id not shared')
  assert.ok(!(await storageDump(page)).includes('team-password-XYZ'))
  assert.ok(!page.url().includes('team-password-XYZ'))

  // Open it with empty storage.
  await page.evaluate(() => localStorage.clear())
  await page.goto('about:blank')
  await page.goto(link)
  await page.getByTestId('connection-status').waitFor()
  await page.getByTestId('link-offer').waitFor()
  assert.match(await page.getByTestId('profile-select').locator('option:checked').textContent(), /^Team dashboard \(from a share link, not saved\)$/)
  assert.equal(await page.getByTestId('broker-url').inputValue(), env.broker.wsUrl)
  assert.equal(await page.getByTestId('username').inputValue(), 'team')
  await page.getByTestId('share-needs-secrets').waitFor()
  await page.locator('[data-testid=subscription][data-filter="plant/+/temp"]').waitFor()

  // After the password is entered the prompt goes, and connecting subscribes.
  await page.getByTestId('password').fill('anything')
  await page.getByTestId('share-needs-secrets').waitFor({ state: 'detached' })
  await page.getByTestId('connect').click()
  await page.locator('[data-testid=subscription][data-filter="plant/+/temp"][data-status=granted]').waitFor({ timeout: 10000 })
  await page.getByTestId('disconnect').click()
})

test('subscriptions: several at once, disable stops delivery, remove, and they survive a reload', async () => {
  const { page } = await freshApp()
  await connectPage(page, env.broker.wsUrl)
  await subscribePage(page, 'multi/a', 0)
  await subscribePage(page, 'multi/b', 1)
  const outside = await outsideClient(env.broker.tcpUrl)
  outside.publish('multi/a', 'a1')
  outside.publish('multi/b', 'b1')
  await page.locator('[data-testid=message][data-topic="multi/a"]').waitFor()
  await page.locator('[data-testid=message][data-topic="multi/b"]').waitFor()

  const rowB = page.locator('[data-testid=subscription][data-filter="multi/b"]')
  await rowB.getByTestId('subscription-enabled').uncheck()
  await page.locator('[data-testid=subscription][data-filter="multi/b"][data-status=disabled]').waitFor()
  // Give the UNSUBSCRIBE a moment to reach the broker, then publish.
  await page.waitForTimeout(300)
  outside.publish('multi/b', 'b2-must-not-arrive')
  outside.publish('multi/a', 'a2')
  await page.getByText('a2', { exact: true }).waitFor()
  await page.waitForTimeout(300)
  assert.equal(await page.getByText('b2-must-not-arrive').count(), 0)

  await page.reload()
  await page.getByTestId('connection-status').waitFor()
  assert.equal(await page.getByTestId('subscription').count(), 2)
  assert.equal(await page.locator('[data-testid=subscription][data-filter="multi/b"]').getAttribute('data-status'), 'disabled')
  await page.locator('[data-testid=subscription][data-filter="multi/a"]').getByTestId('subscription-remove').click()
  assert.equal(await page.getByTestId('subscription').count(), 1)
  outside.end(true)
})

test('publish panel: JSON validation and formatting, inline topic errors, history, repeat with progress and stop', async () => {
  const { page } = await freshApp()
  await connectPage(page, env.broker.wsUrl)
  const outside = await outsideClient(env.broker.tcpUrl)
  await new Promise((resolve, reject) => outside.subscribe('pub/#', (e) => e ? reject(e) : resolve()))
  const received = []
  outside.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }))

  // Invalid JSON is flagged as you type and refused on send.
  await page.getByTestId('publish-topic').fill('pub/json')
  await page.getByTestId('publish-payload').fill('{\n  "a": 1,\n  "b": }')
  assert.match(await page.getByTestId('payload-json-status').textContent(), /invalid JSON at line 3, column 8/)
  await page.getByTestId('publish').click()
  assert.match(await page.getByTestId('publish-error').textContent(), /invalid at line 3, column 8/)
  await page.getByTestId('publish-payload').fill('{"a":1,"b":[true,null]}')
  assert.equal(await page.getByTestId('payload-json-status').textContent(), 'valid JSON')
  await page.getByTestId('format-json').click()
  assert.equal(await page.getByTestId('publish-payload').inputValue(), '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}')

  // Wildcards in a topic name are caught inline, before sending.
  await page.getByTestId('publish-topic').fill('pub/+/bad')
  await page.getByTestId('publish-topic-error').waitFor()
  await page.getByTestId('publish-topic').fill('pub/json')
  await page.getByTestId('publish-topic-error').waitFor({ state: 'detached' })

  // Ctrl+Enter publishes; history keeps what was sent, newest first.
  await page.getByTestId('publish-payload').press('Control+Enter')
  await page.getByTestId('publish-topic').fill('pub/second')
  await page.getByTestId('publish-payload').fill('second')
  await page.getByTestId('publish').click()
  await waitFor(() => received.length === 2)
  assert.deepEqual(received.map((m) => m.topic), ['pub/json', 'pub/second'])
  const history = page.getByTestId('history-entry')
  assert.equal(await history.count(), 2)
  await history.nth(1).click()
  assert.equal(await page.getByTestId('publish-topic').inputValue(), 'pub/json')

  // Templates: save the current message, change the form, load it back.
  await page.locator('summary', { hasText: 'Templates' }).click()
  await page.getByTestId('template-name').fill('json check')
  await page.getByTestId('template-save').click()
  await page.getByTestId('publish-topic').fill('pub/elsewhere')
  await page.getByTestId('template-load').filter({ hasText: 'json check' }).click()
  assert.equal(await page.getByTestId('publish-topic').inputValue(), 'pub/json')
  await page.getByTestId('template-delete').click()
  assert.equal(await page.getByTestId('template').count(), 0)

  // Repeat with a sequence number.
  received.length = 0
  await page.getByTestId('publish-topic').fill('pub/seq')
  await page.getByTestId('publish-payload').fill('{"seq": {{n}}}')
  await page.getByTestId('repeat-count').fill('5')
  await page.getByTestId('repeat-interval').fill('50')
  await page.getByTestId('repeat-start').click()
  await waitFor(() => received.length === 5)
  assert.deepEqual(received.map((m) => JSON.parse(m.payload).seq), [1, 2, 3, 4, 5])
  await page.getByTestId('repeat-start').waitFor()

  // A long repeat shows progress and stops on request.
  received.length = 0
  await page.getByTestId('repeat-count').fill('1000')
  await page.getByTestId('repeat-interval').fill('100')
  await page.getByTestId('repeat-start').click()
  await page.getByTestId('repeat-progress').waitFor()
  await waitFor(() => received.length >= 3)
  await page.getByTestId('repeat-stop').click()
  await page.getByTestId('repeat-progress').waitFor({ state: 'detached' })
  const stoppedAt = received.length
  await page.waitForTimeout(400)
  assert.ok(received.length <= stoppedAt + 1, `stopped (${stoppedAt} then ${received.length})`)
  assert.ok(received.length < 1000)
  outside.end(true)
})

async function waitFor (condition, timeoutMs = 10000) {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for condition')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
