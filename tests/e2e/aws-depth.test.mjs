// AWS IoT in depth, end to end. The clock-offset path: the built page in headless Chromium with
// its clock shifted by the test (Date.now 20 minutes fast), signing through
// tests/fixtures/aws_gateway.py (refuses signatures dated more than 15
// minutes away) in front of the real aedes broker; and the AWS rules in the
// page (reserved topics, the retained-message rule). Ports 19761–19769.
//
// Needs the Python venv scripts/setup.sh --test creates
// (~/.cache/mqtt-console/venv-aws) and a test build whose CSP allows
// loopback (MQTT_CONSOLE_DIST=dist-test, as scripts/test.sh runs it).

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { launchBrowser, openApp, outsideClient, ROOT, serveDist, startBroker } from './harness.mjs'

const VENV = process.env.MQTT_CONSOLE_VENV ?? join(homedir(), '.cache', 'mqtt-console', 'venv-aws')
const PYTHON = join(VENV, 'bin', 'python')
const KEYS = { accessKeyId: 'AKIAE2ECLOCKEXAMPLE1', secret: 'clock/Secret+Key=Example0123456789abcd' }
const FAST = () => {
  const realNow = Date.now
  Date.now = () => realNow() + 20 * 60 * 1000
}

let broker, site, browser, gateway, workDir

function spawnReady (command, args, ready, name) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines = []
  let stderr = ''
  child.stderr.on('data', (data) => { stderr += data })
  return new Promise((resolve, reject) => {
    let buffer = ''
    child.stdout.on('data', (data) => {
      buffer += data
      let newline
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        lines.push(line)
        if (ready(line)) resolve({ child, lines })
      }
    })
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)))
  })
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'mqtt-console-aws-clock-'))
  broker = await startBroker({ wsPort: 19761, tcpPort: 19762 })
  const config = join(workDir, 'gateway.json')
  writeFileSync(config, JSON.stringify({ keys: { [KEYS.accessKeyId]: { secret: KEYS.secret } }, authorizers: {} }))
  gateway = await spawnReady(PYTHON, [
    join(ROOT, 'tests', 'fixtures', 'aws_gateway.py'),
    '--port', '19763', '--broker', broker.wsUrl, '--config', config
  ], (line) => line.includes('"ready"'), 'aws_gateway.py')
  site = await serveDist()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await site?.stop()
  if (gateway && gateway.child.exitCode === null) {
    await new Promise((resolve) => { gateway.child.on('exit', resolve); gateway.child.kill('SIGTERM') })
  }
  await broker?.stop()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

async function decision (from) {
  for (let i = 0; i < 150; i++) {
    const found = gateway.lines.slice(from).filter((l) => l.includes('"decision"')).map((l) => JSON.parse(l))
      .find((d) => d.stage === 'upgrade')
    if (found) return found
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the gateway logged no upgrade decision')
}

async function openFast ({ fast = true } = {}) {
  const context = await browser.newContext()
  if (fast) await context.addInitScript(FAST)
  const { page } = await openApp(context, site.url)
  await page.getByTestId('auth-kind').selectOption('awsKeys')
  await page.getByTestId('aws-endpoint').fill('ws://127.0.0.1:19763/mqtt')
  await page.getByTestId('aws-region').fill('us-east-1')
  await page.getByTestId('aws-access-key-id').fill(KEYS.accessKeyId)
  await page.getByTestId('aws-secret-access-key').fill(KEYS.secret)
  return { context, page }
}

const AHEAD = /by the web server, this browser's clock is (20 min( \d+ s)?|19 min 5\d s) ahead/

test('a clock 20 minutes fast: the web server reading is shown, a typed -1200 s offset makes AWS accept the signature', async () => {
  const { context, page } = await openFast()
  await assert.doesNotReject(page.getByTestId('aws-clock-line').filter({ hasText: AHEAD }).waitFor({ timeout: 10000 }))
  assert.match(await page.getByTestId('aws-clock-line').textContent(), /signing with this browser's clock/)
  await page.getByTestId('aws-clock-offset').fill('-1200')
  assert.match(await page.getByTestId('aws-clock-line').textContent(), /typed clock offset \(-1200 s\)/)
  const from = gateway.lines.length
  await page.getByTestId('connect').click()
  const accepted = await decision(from)
  assert.equal(accepted.decision, 'accept', JSON.stringify(accepted))
  await page.locator('[data-testid=connection-status][data-status=connected]').waitFor({ timeout: 15000 })
  await page.getByTestId('disconnect').click()
  await context.close()
})

test('without an offset the fast clock is refused, and the explanation says how far off it looks', async () => {
  const { context, page } = await openFast()
  await page.getByTestId('aws-clock-line').filter({ hasText: AHEAD }).waitFor({ timeout: 10000 })
  const from = gateway.lines.length
  await page.getByTestId('connect').click()
  const refused = await decision(from)
  assert.equal(refused.decision, 'refuse')
  assert.match(refused.reason, /^clock skew: signed 1\d\d\d s in the future$/)
  const cause = page.locator('[data-testid=aws-diagnosis] li[data-cause=clock-skew]')
  await cause.waitFor({ timeout: 15000 })
  const text = await cause.textContent()
  assert.match(text, AHEAD)
  assert.match(text, /signing with this browser's clock/)
  await context.close()
})

test('a typed offset beyond a day is refused inline', async () => {
  const context = await browser.newContext()
  const { page } = await openApp(context, site.url)
  await page.getByTestId('auth-kind').selectOption('awsKeys')
  await page.getByTestId('aws-clock-offset').fill('90000')
  assert.match(await page.getByTestId('aws-clock-line').textContent(), /at most ±86400 s/)
  assert.equal(await page.getByTestId('aws-clock-line').getAttribute('class'), 'error')
  await context.close()
})

test('AWS rules: reserved topics refused by direction, a wildcard says AWS sends no retained message through it, Subscribe exactly gets it', async () => {
  const { context, page } = await openFast({ fast: false })
  await page.getByTestId('connect').click()
  await page.locator('[data-testid=connection-status][data-status=connected]').waitFor({ timeout: 15000 })
  // A request topic cannot be subscribed; an answer topic cannot be published.
  await page.getByTestId('subscribe-filter').fill('$aws/things/lamp/shadow/get')
  await page.getByTestId('subscribe').click()
  assert.match(await page.getByTestId('subscribe-error').textContent(), /request topic: a client publishes to it/)
  await page.getByTestId('subscribe-filter').fill('$aws/thingz/lamp')
  await page.getByTestId('subscribe').click()
  assert.match(await page.getByTestId('subscribe-error').textContent(), /not one of AWS IoT's reserved topics/)
  await page.getByTestId('publish-topic').fill('$aws/things/lamp/shadow/update/accepted')
  await page.getByTestId('publish').click()
  assert.match(await page.getByTestId('publish-error').textContent(), /published by AWS IoT: a client may only subscribe/)
  // Wildcard first, while nothing is retained: the row says so.
  await page.getByTestId('subscribe-filter').fill('rules/+/x')
  await page.getByTestId('subscribe').click()
  const wildcard = page.locator('[data-testid=subscription][data-filter="rules/+/x"]')
  await page.locator('[data-testid=subscription][data-filter="rules/+/x"][data-status=granted]').waitFor({ timeout: 10000 })
  assert.match(await wildcard.getByTestId('subscription-retained-note').textContent(), /only to a subscription on its exact topic/)
  const outside = await outsideClient(broker.tcpUrl)
  try {
    await new Promise((resolve, reject) => outside.publish('rules/a/x', 'kept', { qos: 1, retain: true }, (e) => e ? reject(e) : resolve()))
  } finally {
    outside.end(true)
  }
  const node = page.locator('[data-testid=tree-node][data-path="rules/a/x"]')
  await page.locator('[data-testid=tree-node][data-path="rules"] button.tree-toggle').click()
  await page.locator('[data-testid=tree-node][data-path="rules/a"] button.tree-toggle').click()
  await node.getByTestId('tree-subscribe-exactly').click()
  const exact = page.locator('[data-testid=subscription][data-filter="rules/a/x"][data-status=granted]')
  await exact.waitFor({ timeout: 10000 })
  // The retained copy arrives on the exact subscription; no note there.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=message][data-topic="rules/a/x"]').length >= 2, null, { timeout: 10000 })
  assert.equal(await exact.getByTestId('subscription-retained-note').count(), 0)
  await page.getByTestId('disconnect').click()
  await context.close()
})
