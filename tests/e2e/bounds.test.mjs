// Bounds and hostile shapes (issue 13, items 5, 6, 10, 11, 12), through
// the real page in headless Chromium against the real aedes broker, with
// mqtt.js publishing from outside:
// - the topic table stops tracking new topics past its bound and says so,
//   while their messages stay in the log (visible, filterable);
// - 2,000 messages on 64 KB unique topics: memory stays within the page's
//   own budgets (live wasm heap), the API buffer is bounded in bytes;
// - a catastrophic-backtracking regex does not freeze the page;
// - CSV cells a spreadsheet would evaluate are neutralised;
// - a repeat interval of 2^31 ms and Cognito credentials valid for 30 days
//   schedule their timers instead of throwing.
// Memory is read from the page (`?bench` hook: wasm memory, live heap);
// responsiveness from a 'longtask' PerformanceObserver in the page.

import assert from 'node:assert/strict'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'
import { after, before, test } from 'node:test'
import {
  connectPage, launchBrowser, openApp, outsideClient, ROOT, startBroker, subscribePage
} from './harness.mjs'

const DIST = process.env.MQTT_CONSOLE_DIST ?? join(ROOT, 'dist')
const MIB = 1024 * 1024
const DAY_MS = 24 * 3600 * 1000

let broker, site, browser, outside

/**
 * The built page, plus a Cognito stand-in on the same origin (`/cognito`),
 * so the release CSP (`connect-src 'self'`) allows it. It hands out
 * credentials that expire `expiresInMs` from now.
 */
async function serveWithCognito () {
  const state = { expiresInMs: 30 * DAY_MS, requests: [] }
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://x')
    if (pathname === '/cognito' && request.method === 'POST') {
      let body = ''
      request.on('data', (chunk) => { body += chunk })
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '').split('.').pop()
        state.requests.push(target)
        const identity = 'us-east-1:00000000-0000-4000-8000-000000000001'
        const answer = target === 'GetId'
          ? { IdentityId: identity }
          : {
              IdentityId: identity,
              Credentials: {
                AccessKeyId: 'ASIABOUNDSTEST12345',
                SecretKey: 'bounds-test-secret',
                SessionToken: 'bounds-test-token',
                Expiration: (Date.now() + state.expiresInMs) / 1000
              }
            }
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        response.end(JSON.stringify(answer))
      })
      return
    }
    const path = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '')
    let file = join(DIST, path)
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html')
    const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(response)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    cognito: state,
    stop: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections() })
  }
}

before(async () => {
  broker = await startBroker({ wsPort: 19601, tcpPort: 11601 })
  site = await serveWithCognito()
  browser = await launchBrowser()
  outside = await outsideClient(broker.tcpUrl)
})

after(async () => {
  outside?.end(true)
  await browser?.close()
  await site?.stop()
  await broker?.stop()
})

/** A page (with `?query`) that records long tasks, connected and subscribed. */
async function connectedPage (filter, query = 'bench') {
  const context = await browser.newContext({ acceptDownloads: true })
  await context.addInitScript(() => {
    window.__longTasks = []
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration))
    }).observe({ type: 'longtask', buffered: true })
  })
  const { page, problems } = await openApp(context, `${site.url}?${query}`)
  await connectPage(page, broker.wsUrl)
  await subscribePage(page, filter, 0)
  // Long tasks of the start-up (wasm compile, first render) are not the log's.
  await page.evaluate(() => { window.__longTasks = [] })
  return { page, problems, context }
}

function publish (topic, payload, qos = 0) {
  return new Promise((resolve, reject) =>
    outside.publish(topic, payload, { qos }, (error) => error ? reject(error) : resolve()))
}

async function waitForCount (page, testid, expected, timeout = 60000) {
  await page.waitForFunction(
    ([id, n]) => document.querySelector(`[data-testid=${id}]`)?.textContent.replace(/[^0-9]/g, '') === String(n),
    [testid, expected], { timeout })
}

const stats = (page) => page.evaluate(() => window.__mqttConsoleBench.stats())
const longTasks = (page) => page.evaluate(() => window.__longTasks)

test('past the topic bound, new topics are not tracked, said so, and their messages stay in the log', async () => {
  const { page, problems, context } = await connectedPage('b5/#', 'bench&topicCap=1000')
  for (let batch = 0; batch < 6; batch++) {
    const sent = []
    for (let i = batch * 500; i < (batch + 1) * 500; i++) sent.push(publish(`b5/t/${i}`, JSON.stringify({ i })))
    await Promise.all(sent)
  }
  await waitForCount(page, 'message-count', 3000)
  await page.getByTestId('topics-untracked').waitFor()
  const figures = await stats(page)
  assert.equal(figures.topics, 1000)
  assert.equal(figures.untrackedTopics, 2000)
  assert.equal(await page.getByTestId('topic-count').textContent(), '1000')
  assert.match(await page.getByTestId('topics-untracked').textContent(),
    /^2,000 topics not tracked: the topic table is full \(1,000 topics, .* MiB\)\. Their 2,000 messages are in the log/)
  // An untracked topic's message is shown, with its topic, and filterable.
  await page.getByTestId('filter-topic').fill('b5/t/2999')
  await waitForCount(page, 'shown-count', 1)
  const row = page.locator('[data-testid=message][data-topic="b5/t/2999"]')
  await row.waitFor()
  assert.deepEqual(JSON.parse(await row.getByTestId('message-payload').textContent()), { i: 2999 })
  await page.getByTestId('filter-topic').fill('b5/t/+')
  await waitForCount(page, 'shown-count', 3000)
  assert.deepEqual(problems, [])
  assert.ok(Math.max(0, ...await longTasks(page)) <= 200, `long tasks: ${await longTasks(page)}`)
  await context.close()
})

test('2,000 messages on 64 KB unique topics: memory within the budgets, API buffer bounded in bytes', async () => {
  const { page, problems, context } = await connectedPage('b6/#')
  const before = await stats(page)
  // 64,000 bytes: with the prefix, under MQTT's 65,535-byte topic limit.
  const long = 'x'.repeat(64000)
  for (let batch = 0; batch < 20; batch++) {
    const sent = []
    for (let i = batch * 100; i < (batch + 1) * 100; i++) sent.push(publish(`b6/${i}/${long}`, `{"i":${i}}`))
    await Promise.all(sent)
  }
  await waitForCount(page, 'message-count', 2000)
  const figures = await stats(page)
  console.log(`# 2,000 × 64 KB topics: wasm ${(figures.wasmBytes / MIB).toFixed(1)} MiB (was ${(before.wasmBytes / MIB).toFixed(1)}), ` +
    `live heap ${(figures.liveHeapBytes / MIB).toFixed(1)} MiB, log ${(figures.storeBytes / MIB).toFixed(1)} MiB, ` +
    `topics ${figures.topics} tracked (${(figures.topicBytes / MIB).toFixed(1)} MiB), ${figures.untrackedTopics} not tracked, ` +
    `API buffer ${figures.apiBufferMessages} messages (${(figures.apiBufferBytes / MIB).toFixed(1)} MiB), ` +
    `longest task ${Math.max(0, ...await longTasks(page))} ms`)
  // The topic table and the API buffer keep to their byte budgets...
  assert.ok(figures.topicBytes <= 32 * MIB, `topic table ${figures.topicBytes}`)
  assert.equal(figures.topics + figures.untrackedTopics, 2000)
  assert.ok(figures.apiBufferBytes <= 32 * MIB, `API buffer ${figures.apiBufferBytes}`)
  assert.ok(figures.apiBufferMessages < 2000 && figures.apiBufferMessages > 0)
  // ...and the live heap is the log's allocation plus those two budgets and
  // the rest of the app (well under 64 MiB): nothing else grows with topics.
  const budget = figures.storeBytes + 32 * MIB + 32 * MIB + 64 * MIB
  assert.ok(figures.liveHeapBytes <= budget,
    `live heap ${(figures.liveHeapBytes / MIB).toFixed(1)} MiB over ${(budget / MIB).toFixed(1)} MiB`)
  // The API keeps the newest messages, whole.
  const newest = await page.evaluate(() => {
    const list = mqttConsole.messages()
    return { count: list.length, last: list.at(-1).payload, topicLength: list.at(-1).topic.length }
  })
  assert.equal(newest.count, figures.apiBufferMessages)
  assert.equal(newest.last, '{"i":1999}')
  assert.equal(newest.topicLength, 'b6/1999/'.length + 64000)
  assert.ok(await page.getByTestId('topics-untracked').isVisible())
  assert.deepEqual(problems, [])
  assert.ok(Math.max(0, ...await longTasks(page)) <= 200, `long tasks: ${await longTasks(page)}`)
  await context.close()
})

test('a catastrophic-backtracking regex does not freeze the page (log filter and waitForMessage)', async () => {
  const { page, problems, context } = await connectedPage('b12/#')
  // Exponential for a backtracking engine (V8: 28 a's take over a second,
  // 40 would take hours); the second is the example.
  await publish('b12/evil', 'a'.repeat(40) + '!')
  await publish('b12/spaces', 'a '.repeat(20000) + '!')
  await publish('b12/fine', 'a a a')
  await waitForCount(page, 'message-count', 3)
  await page.evaluate(() => { window.__longTasks = [] })
  await page.getByTestId('filter-regex').check()
  await page.getByTestId('filter-text').fill('^(\\w+\\s?)*$')
  await waitForCount(page, 'shown-count', 1, 10000)
  await page.locator('[data-testid=message][data-topic="b12/fine"]').waitFor()
  const rejected = await page.evaluate(() =>
    mqttConsole.waitForMessage({ topic: 'b12/evil', regex: '^(\\w+\\s?)*$' }, 500).then(() => 'matched', (e) => e.message))
  assert.match(rejected, /timed out after 500 ms/)
  // The page answered all along.
  assert.equal(await page.evaluate(() => 1 + 1), 2)
  assert.ok(Math.max(0, ...await longTasks(page)) <= 200, `long tasks: ${await longTasks(page)}`)
  // JavaScript-only syntax is refused with a reason, not thrown.
  await page.getByTestId('filter-text').fill('a(?=b)')
  assert.match(await page.getByTestId('filter-error').textContent(), /lookaround is not supported/)
  assert.deepEqual(problems, [])
  await context.close()
})

test('CSV export neutralises cells a spreadsheet would evaluate', async () => {
  const { page, problems, context } = await connectedPage('b11/#')
  const payloads = ['=HYPERLINK("http://evil.example","click")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', 'plain']
  for (const payload of payloads) await publish('b11/cell', payload)
  await waitForCount(page, 'message-count', payloads.length)
  const download = page.waitForEvent('download')
  await page.getByTestId('export-csv').click()
  const csv = await readFile(await (await download).path(), 'utf8')
  const cells = csv.split('\r\n').slice(1, -1).map((line) => line.slice(line.indexOf(',utf8,') + 6))
  assert.deepEqual(cells, [
    '"\'=HYPERLINK(""http://evil.example"",""click"")"', '"\'+1+1"', '"\'-2+3"', '"\'@SUM(A1)"',
    '"\'\t=1"', '"\'\r=1"', 'plain'
  ])
  assert.deepEqual(problems, [])
  await context.close()
})

test('a repeat interval of 2^31 ms is scheduled, not thrown; a number past u64 is refused', async () => {
  const { page, problems, context } = await connectedPage('b10/#', '')
  await page.getByTestId('publish-topic').fill('b10/repeat')
  await page.getByTestId('publish-payload').fill('{"n": {{n}}}')
  await page.getByTestId('repeat-count').fill('3')
  await page.getByTestId('repeat-interval').fill(String(2 ** 31))
  await page.getByTestId('repeat-start').click()
  await page.locator('[data-testid=message][data-topic="b10/repeat"]').first().waitFor()
  await page.waitForTimeout(1500)
  assert.equal(await page.locator('[data-testid=message][data-topic="b10/repeat"]').count(), 1, 'the next one is 24.8 days away')
  assert.equal(await page.getByTestId('repeat-progress-text').textContent(), '1 / 3')
  await page.getByTestId('repeat-stop').click()
  await page.getByTestId('repeat-interval').fill('99999999999999999999999')
  await page.getByTestId('repeat-start').click()
  await page.getByText('Repeat needs a whole number of messages and an interval in milliseconds').waitFor()
  assert.deepEqual(problems, [])
  await context.close()
})

test('Cognito credentials valid for 30 days: refresh scheduled, not thrown, not fired early', async () => {
  const context = await browser.newContext()
  const { page, problems } = await openApp(context, site.url)
  site.cognito.requests.length = 0
  await page.getByTestId('auth-kind').selectOption('awsCognito')
  await page.getByTestId('aws-endpoint').fill(broker.wsUrl)
  await page.getByTestId('aws-region').fill('us-east-1')
  await page.getByTestId('aws-identity-pool-id').fill('us-east-1:00000000-0000-4000-8000-0000000000aa')
  await page.locator('details:has([data-testid=aws-cognito-endpoint]) summary').click()
  await page.getByTestId('aws-cognito-endpoint').fill(`${site.url}cognito`)
  await page.getByTestId('connect').click()
  await page.locator('[data-testid=connection-status][data-status=connected]').waitFor({ timeout: 15000 })
  const status = page.getByTestId('aws-cognito-status')
  await status.filter({ hasText: 'fetched 1×' }).waitFor()
  const expected = new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10)
  assert.match(await status.textContent(), new RegExp(`valid until ${expected}`))
  await page.waitForTimeout(2000)
  assert.match(await status.textContent(), /fetched 1×/, 'no early refresh')
  assert.deepEqual(site.cognito.requests, ['GetId', 'GetCredentialsForIdentity'])
  assert.deepEqual(problems, [])
  await page.getByTestId('disconnect').click()
  await context.close()
})
