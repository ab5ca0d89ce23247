// Safe to share: share links, remembered secrets and stored workspaces,
// through the real UI of the built page in headless Chromium, against the
// real broker. A stranger's endpoint is played by a recording WebSocket
// endpoint (below) that keeps every byte the page sends it.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { WebSocketServer } from 'ws'
import { brokerSiteAndBrowser, openApp } from './harness.mjs'

const env = brokerSiteAndBrowser({ wsPort: 19701, tcpPort: 11701 })

/**
 * A test endpoint (not a broker): records every byte received and answers
 * a CONNECT with CONNACK 0, so the page believes it connected.
 */
let recorder
before(async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 19702, handleProtocols: (ps) => (ps.has('mqtt') ? 'mqtt' : false) })
  const state = { bytes: Buffer.alloc(0), connects: 0 }
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const chunk = Buffer.from(data)
      state.bytes = Buffer.concat([state.bytes, chunk])
      if ((chunk[0] >> 4) === 1) {
        state.connects++
        socket.send(Buffer.from([0x20, 0x02, 0x00, 0x00]))
      }
    })
  })
  await new Promise((resolve) => wss.on('listening', resolve))
  recorder = { url: 'ws://127.0.0.1:19702/mqtt', state, stop: () => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(resolve) }) }
})
after(async () => { await recorder?.stop() })

async function freshApp (url = env.site.url) {
  const context = await env.browser.newContext()
  return { context, ...(await openApp(context, url)) }
}

const dump = (page) => page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))
const savedWorkspace = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('mqtt-console.workspace.v1')))

/** A share link as a stranger would craft it. */
function strangerLink (profile, { query = '' } = {}) {
  const json = JSON.stringify({ version: 1, profile, subscriptions: [{ filter: 'stranger/#', qos: 0, enabled: true }] })
  return `${env.site.url}${query}#share=${Buffer.from(json).toString('base64url')}`
}

/** Saves the form as profile `name` with a password, remembered for this tab. */
async function saveWithSecret (page, { name, url, username = 'operator', password }) {
  await page.getByTestId('remember-mode').selectOption('tab')
  await page.getByTestId('broker-url').fill(url)
  await page.getByTestId('username').fill(username)
  await page.getByTestId('profile-name').fill(name)
  await page.getByTestId('profile-save').click()
  await page.getByText(`Saved "${name}".`).waitFor()
  await page.getByTestId('password').fill(password)
  await page.waitForFunction((pw) => JSON.stringify({ ...sessionStorage }).includes(pw), password)
}

test('a stranger\'s link with a saved profile\'s name and connect=1: nothing saved changes, no remembered secret is sent', async () => {
  const { page, context, problems } = await freshApp()
  await saveWithSecret(page, { name: 'Plant A', url: env.broker.wsUrl, password: 'SAVED-PW-1' })

  const before = recorder.state.connects
  await page.goto('about:blank')
  await page.goto(strangerLink({ name: 'Plant A', brokerUrl: recorder.url, username: 'operator' }, { query: '?connect=1' }))
  await page.getByTestId('link-offer').waitFor()
  // connect=1 connects the link's own profile, which has no secret.
  await page.locator('[data-testid=connection-status][data-status=connected]').waitFor({ timeout: 10000 })
  assert.equal(recorder.state.connects, before + 1)
  assert.ok(!recorder.state.bytes.includes('SAVED-PW-1'), 'the saved password never reaches the link\'s endpoint')
  assert.equal(await page.getByTestId('password').inputValue(), '')

  // The saved profile and subscriptions are untouched while the offer is open.
  const saved = await savedWorkspace(page)
  assert.equal(saved.profiles.find((p) => p.name === 'Plant A').brokerUrl, env.broker.wsUrl)
  assert.ok(!saved.subscriptions.some((s) => s.filter === 'stranger/#'), 'link subscriptions not saved')
  assert.match(await page.getByTestId('profile-select').locator('option:checked').textContent(), /Plant A \(from a share link, not saved\)/)
  await page.getByTestId('disconnect').click()

  // Saving it is an explicit choice, and it becomes a new profile.
  await page.getByTestId('link-save-new').click()
  await page.getByTestId('link-offer').waitFor({ state: 'detached' })
  const after = await savedWorkspace(page)
  assert.equal(after.profiles.find((p) => p.name === 'Plant A').brokerUrl, env.broker.wsUrl)
  assert.equal(after.profiles.find((p) => p.name === 'Plant A (shared)').brokerUrl, recorder.url)
  assert.ok(after.subscriptions.some((s) => s.filter === 'stranger/#'), 'now added to the saved ones')
  assert.ok(!page.url().includes('#share='), 'the decided link leaves the address bar')

  // After a reload the secret is still the saved profile's, and only its.
  await page.reload()
  await page.getByTestId('connection-status').waitFor()
  await page.getByTestId('profile-select').selectOption('Plant A')
  assert.equal(await page.getByTestId('password').inputValue(), 'SAVED-PW-1')
  await page.getByTestId('profile-select').selectOption('Plant A (shared)')
  assert.equal(await page.getByTestId('password').inputValue(), '')
  assert.deepEqual(problems, [])
  await context.close()
})

test('replacing a saved profile from a link shows both endpoints, and its remembered secret does not follow', async () => {
  const { page, context } = await freshApp()
  await saveWithSecret(page, { name: 'Plant B', url: env.broker.wsUrl, password: 'SAVED-PW-B' })
  await page.goto('about:blank')
  await page.goto(strangerLink({ name: 'Plant B', brokerUrl: recorder.url, username: 'operator' }))
  await page.getByTestId('link-replace-ask').click()
  assert.match(await page.getByTestId('compare-saved').textContent(), /127\.0\.0\.1:19701/)
  assert.match(await page.getByTestId('compare-link').textContent(), /127\.0\.0\.1:19702/)
  await page.getByTestId('compare-moved').waitFor()
  await page.getByTestId('link-replace-confirm').click()
  await page.getByTestId('link-offer').waitFor({ state: 'detached' })
  const saved = await savedWorkspace(page)
  assert.equal(saved.profiles.filter((p) => p.name === 'Plant B').length, 1)
  assert.equal(saved.profiles.find((p) => p.name === 'Plant B').brokerUrl, recorder.url)
  assert.equal(await page.getByTestId('password').inputValue(), '')
  await page.waitForFunction(() => !JSON.stringify({ ...sessionStorage }).includes('SAVED-PW-B'))
  await context.close()
})

test('connect=1 with a remembered secret waits for a click that names the endpoint', async () => {
  const { page, context } = await freshApp()
  await saveWithSecret(page, { name: 'Plant C', url: env.broker.wsUrl, password: 'SAVED-PW-C' })
  await page.goto('about:blank')
  await page.goto(`${env.site.url}?profile=Plant%20C&connect=1`)
  await page.getByTestId('pending-connect').waitFor()
  assert.match(await page.getByTestId('pending-connect').textContent(), /127\.0\.0\.1:19701\/mqtt/)
  await page.waitForTimeout(1000)
  assert.equal(await page.getByTestId('connection-status').getAttribute('data-status'), 'disconnected')
  await page.getByTestId('pending-connect-yes').click()
  await page.locator('[data-testid=connection-status][data-status=connected]').waitFor({ timeout: 10000 })
  await page.evaluate(() => window.mqttConsole.ready())
  await page.getByTestId('disconnect').click()
  await context.close()
})

test('secrets follow renames, go with deletes, and "Forget all secrets" removes every one', async () => {
  const { page, context } = await freshApp()
  await saveWithSecret(page, { name: 'D1', url: env.broker.wsUrl, password: 'PW-D1' })
  await page.getByTestId('profile-name').fill('D2')
  await page.getByTestId('profile-rename').click()
  await page.getByText('Renamed to "D2".').waitFor()
  await page.reload()
  await page.getByTestId('connection-status').waitFor()
  await page.getByTestId('profile-select').selectOption('D2')
  assert.equal(await page.getByTestId('password').inputValue(), 'PW-D1', 'the secret moved with the rename')
  await page.getByTestId('profile-delete').click()
  await page.getByText('Deleted "D2"').waitFor()
  await page.waitForFunction(() => !JSON.stringify({ ...sessionStorage }).includes('PW-D1'))

  await saveWithSecret(page, { name: 'D3', url: env.broker.wsUrl, password: 'PW-D3' })
  await page.getByTestId('forget-secrets').click()
  await page.waitForFunction(() => !JSON.stringify({ ...sessionStorage, ...localStorage }).includes('PW-D3'))
  assert.equal(await page.getByTestId('password').inputValue(), '')
  assert.equal(await page.getByTestId('remember-mode').inputValue(), 'off')
  await context.close()
})

test('a share link never carries the page\'s query string or a username that is a token', async () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXZpY2UifQ.c2lnbmF0dXJlLXRva2Vu'
  const { page, context } = await freshApp(`${env.site.url}?clientId=zzz-own-client&logCap=5000`)
  await page.getByTestId('broker-url').fill(env.broker.wsUrl)
  await page.getByTestId('username').fill(token)
  await page.getByTestId('profile-name').fill('Token user')
  await page.getByTestId('profile-save').click()
  await page.getByTestId('share-link').click()
  const link = await page.getByTestId('share-link-output').inputValue()
  assert.ok(link.startsWith(`${env.site.url}#share=`), `no query string in ${link}`)
  const decoded = Buffer.from(link.split('#share=')[1], 'base64url').toString()
  assert.ok(!decoded.includes(token) && !decoded.includes('zzz-own-client'))
  assert.ok(!(await dump(page)).includes(token), 'a token username is not stored in plain storage')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('workspace-export').click()])
  assert.ok(!readFileSync(await download.path(), 'utf8').includes(token), 'nor exported')
  await context.close()
})

test('secrets on this device are encrypted with a passphrase; plain ones from earlier versions are moved out', async () => {
  const { page, context } = await freshApp()
  await page.getByTestId('broker-url').fill(env.broker.wsUrl)
  await page.getByTestId('username').fill('operator')
  await page.getByTestId('profile-name').fill('Vault')
  await page.getByTestId('profile-save').click()
  await page.getByTestId('password').fill('VAULT-PW-1')
  await page.getByTestId('remember-mode').selectOption('device')
  await page.getByTestId('vault-passphrase').fill('correct horse battery')
  await page.getByTestId('vault-submit').click()
  await page.getByText('Secrets are now remembered on this device').waitFor()
  await page.waitForFunction(() => localStorage.getItem('mqtt-console.secrets.sealed.v2') !== null)
  const stored = await dump(page)
  assert.ok(!stored.includes('VAULT-PW-1'), 'no plaintext at rest')
  assert.match(await page.evaluate(() => localStorage.getItem('mqtt-console.secrets.sealed.v2')), /AES-256-GCM/)

  await page.reload()
  await page.getByTestId('connection-status').waitFor()
  assert.equal(await page.getByTestId('password').inputValue(), '', 'locked until the passphrase is typed')
  assert.match(await page.getByTestId('remember-explained').textContent(), /encrypted/)
  await page.getByTestId('vault-passphrase').fill('wrong one')
  await page.getByTestId('vault-submit').click()
  await page.getByText('Wrong passphrase').waitFor()
  await page.getByTestId('vault-passphrase').fill('correct horse battery')
  await page.getByTestId('vault-submit').click()
  await page.getByText('Unlocked the secrets').waitFor()
  assert.equal(await page.getByTestId('password').inputValue(), 'VAULT-PW-1')

  // An earlier version's plain-text secrets: moved to this tab, removed from localStorage.
  const workspace = await savedWorkspace(page)
  await page.evaluate(() => {
    localStorage.removeItem('mqtt-console.secrets.sealed.v2')
    localStorage.setItem('mqtt-console.secrets.v1', JSON.stringify({ Vault: { password: 'LEGACY-PW' } }))
  })
  await page.reload()
  await page.getByTestId('connection-status').waitFor()
  await page.getByText('were stored unencrypted').waitFor()
  assert.equal(await page.evaluate(() => localStorage.getItem('mqtt-console.secrets.v1')), null)
  assert.ok(!(await page.evaluate(() => JSON.stringify({ ...localStorage }))).includes('LEGACY-PW'))
  assert.equal(await page.getByTestId('remember-mode').inputValue(), 'tab')
  assert.equal(workspace.selected, 'Vault')
  assert.equal(await page.getByTestId('password').inputValue(), 'LEGACY-PW')
  await context.close()
})

test('an unreadable stored workspace is kept, announced and downloadable, never silently replaced', async () => {
  const { page, context } = await freshApp()
  const broken = '{"version": 1, "profiles": [{"name": "Precious", "brokerUrl": "ws://keep.me/mqtt"}'
  await page.evaluate((text) => localStorage.setItem('mqtt-console.workspace.v1', text), broken)
  await page.reload()
  await page.getByTestId('workspace-unreadable').waitFor()
  const backups = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('mqtt-console.workspace.unreadable.')))
  assert.equal(backups.length, 1)
  assert.equal(backups[0][1], broken, 'kept byte for byte')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('workspace-backup-download').click()])
  assert.equal(readFileSync(await download.path(), 'utf8'), broken)
  await context.close()
})

test('two tabs saving profiles: both profiles are kept and each tab sees the other\'s', async () => {
  const context = await env.browser.newContext()
  const a = (await openApp(context, env.site.url)).page
  const b = (await openApp(context, env.site.url)).page
  await a.getByTestId('profile-name').fill('From tab A')
  await a.getByTestId('profile-save').click()
  await a.getByText('Saved "From tab A".').waitFor()
  await b.getByTestId('profile-name').fill('From tab B')
  await b.getByTestId('profile-save').click()
  await b.getByText('Saved "From tab B".').waitFor()
  await a.waitForFunction(() => [...document.querySelectorAll('[data-testid=profile-select] option')].some((o) => o.textContent === 'From tab B'))
  await b.waitForFunction(() => [...document.querySelectorAll('[data-testid=profile-select] option')].some((o) => o.textContent === 'From tab A'))
  const names = (await savedWorkspace(a)).profiles.map((p) => p.name).sort()
  assert.deepEqual(names, ['From tab A', 'From tab B', 'Local broker'])

  // A deletion in one tab reaches the other (no resurrection on its next save).
  await a.getByTestId('profile-select').selectOption('From tab B')
  await a.getByTestId('profile-delete').click()
  await b.waitForFunction(() => ![...document.querySelectorAll('[data-testid=profile-select] option')].some((o) => o.textContent === 'From tab B'))
  await b.getByTestId('profile-select').selectOption('From tab A')
  await b.getByTestId('keep-alive').fill('22')
  await b.getByTestId('profile-save').click()
  await b.getByText('Saved "From tab A".').waitFor()
  const final = (await savedWorkspace(a)).profiles
  assert.deepEqual(final.map((p) => p.name).sort(), ['From tab A', 'Local broker'])
  assert.equal(final.find((p) => p.name === 'From tab A').keepAliveSecs, 22)
  await context.close()
})
