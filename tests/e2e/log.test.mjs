// The message log end to end (issue 6): the built page in headless Chromium,
// the real aedes broker, mqtt.js publishing from outside. Virtualized list
// after scrolling, follow-newest and "N new", pause with backlog, filters,
// hostile payloads as literal text, NDJSON export, topic tree and chart.

import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import {
  connectPage, launchBrowser, openApp, outsideClient, serveDist, startBroker, subscribePage
} from './harness.mjs'

let broker, site, browser, outside

before(async () => {
  broker = await startBroker({ wsPort: 19161, tcpPort: 11961 })
  site = await serveDist()
  browser = await launchBrowser()
  outside = await outsideClient(broker.tcpUrl)
})

after(async () => {
  outside?.end(true)
  await browser?.close()
  await site?.stop()
  await broker?.stop()
})

/** A connected page subscribed to `filter`, in a fresh context. */
async function connectedPage (filter, qos = 1) {
  const context = await browser.newContext()
  const { page, problems } = await openApp(context, site.url)
  await connectPage(page, broker.wsUrl)
  await subscribePage(page, filter, qos)
  return { page, problems, context }
}

function publish (topic, payload, qos = 1) {
  return new Promise((resolve, reject) =>
    outside.publish(topic, payload, { qos }, (error) => error ? reject(error) : resolve()))
}

async function publishMany (topic, count, payload = (i) => JSON.stringify({ i }), from = 0) {
  const sent = []
  for (let i = from; i < from + count; i++) sent.push(publish(typeof topic === 'function' ? topic(i) : topic, payload(i)))
  await Promise.all(sent)
}

async function waitForCount (page, testid, expected, timeout = 20000) {
  await page.waitForFunction(
    ([id, n]) => document.querySelector(`[data-testid=${id}]`)?.textContent.replace(/[^0-9]/g, '') === String(n),
    [testid, expected], { timeout })
}

/** The `i` of every rendered row, top to bottom. */
async function renderedIndices (page) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
  return page.$$eval('[data-testid=message] [data-testid=message-payload]',
    (nodes) => nodes.map((node) => JSON.parse(node.textContent).i))
}

test('the virtualized list keeps only visible rows and shows the right ones after scrolling', async () => {
  const { page, problems, context } = await connectedPage('virtual/#')
  await publishMany('virtual/rows', 3000)
  await waitForCount(page, 'message-count', 3000)

  // Following the newest: the last rows are on screen, few rows in the DOM.
  let rows = await renderedIndices(page)
  assert.ok(rows.length > 5 && rows.length < 80, `rows in the DOM: ${rows.length}`)
  assert.equal(rows.at(-1), 2999)

  // Scroll to row 1000: it is the first visible row; rows are contiguous.
  await page.$eval('[data-testid=message-log]', (el) => { el.scrollTop = 1000 * 26 })
  rows = await renderedIndices(page)
  assert.equal(rows[0], 1000)
  assert.deepEqual(rows, rows.map((_, k) => 1000 + k))
  assert.ok(rows.length < 80)

  // Scrolled up: follow is off and new arrivals are counted, the view stays.
  await page.getByTestId('new-messages').waitFor()
  await publishMany('virtual/rows', 5, undefined, 3000)
  await waitForCount(page, 'message-count', 3005)
  await page.waitForFunction(() => document.querySelector('[data-testid=new-messages]')?.textContent.startsWith('5 new'))
  assert.equal((await renderedIndices(page))[0], 1000)

  // Jump back to the newest.
  await page.getByTestId('new-messages').click()
  await page.waitForFunction(() => !document.querySelector('[data-testid=new-messages]'))
  assert.equal((await renderedIndices(page)).at(-1), 3004)

  // Clicking a row opens its details.
  await page.locator('[data-testid=message]').last().click()
  assert.equal(await page.getByTestId('detail-topic').textContent(), 'virtual/rows')
  assert.match(await page.getByTestId('detail-payload').textContent(), /"i": 3004/)
  assert.equal(await page.getByTestId('detail-subscriptions').textContent(), 'virtual/#')
  assert.deepEqual(problems, [])
  await context.close()
})

test('pause keeps receiving and shows the backlog; resume shows it', async () => {
  const { page, problems, context } = await connectedPage('pause/#')
  await publishMany('pause/a', 10)
  await waitForCount(page, 'message-count', 10)
  await page.getByTestId('pause').click()
  await publishMany('pause/a', 7, undefined, 10)
  await waitForCount(page, 'message-count', 17)
  await waitForCount(page, 'backlog-count', 7)
  assert.equal((await renderedIndices(page)).at(-1), 9, 'the paused view does not move')
  await page.getByTestId('pause').click()
  await page.waitForFunction(() => !document.querySelector('[data-testid=backlog-count]'))
  assert.equal((await renderedIndices(page)).at(-1), 16)
  assert.deepEqual(problems, [])
  await context.close()
})

test('filters narrow the view as you type: topic wildcards, text, regex, subscription', async () => {
  const { page, problems, context } = await connectedPage('plant/#')
  await subscribePage(page, 'plant/+/temp', 1)
  await publishMany((i) => `plant/${i % 4}/${i % 2 ? 'temp' : 'light'}`, 40,
    (i) => JSON.stringify({ i, status: i % 5 === 0 ? 'ALARM' : 'ok' }))
  await waitForCount(page, 'message-count', 40)

  await page.getByTestId('filter-topic').fill('plant/1/+')
  await waitForCount(page, 'shown-count', 10)
  let rows = await renderedIndices(page)
  assert.ok(rows.every((i) => i % 4 === 1), `${rows}`)

  await page.getByTestId('filter-topic').fill('plant/#')
  await page.getByTestId('filter-text').fill('alarm')
  await waitForCount(page, 'shown-count', 8)
  rows = await renderedIndices(page)
  assert.deepEqual(rows, [0, 5, 10, 15, 20, 25, 30, 35])

  await page.getByTestId('filter-case').uncheck()
  await waitForCount(page, 'shown-count', 0)
  await page.getByTestId('filter-regex').check()
  await page.getByTestId('filter-text').fill('"i":\\s*1\\d,')
  await waitForCount(page, 'shown-count', 10)

  await page.getByTestId('filter-topic').fill('plant/+/#/x')
  await page.getByTestId('filter-error').waitFor()
  await page.getByTestId('filter-topic').fill('')
  await page.getByTestId('filter-text').fill('')
  await page.getByTestId('filter-subscription').selectOption('plant/+/temp')
  await waitForCount(page, 'shown-count', 20)
  rows = await renderedIndices(page)
  assert.ok(rows.every((i) => i % 2 === 1))

  // Per-subscription counters.
  const count = (filter) => page.locator(`[data-testid=subscription-stat][data-filter="${filter}"] [data-testid=subscription-count]`).textContent()
  assert.equal(await count('plant/#'), '40')
  assert.equal(await count('plant/+/temp'), '20')
  assert.deepEqual(problems, [])
  await context.close()
})

test('hostile payloads and topics render as literal text everywhere', async () => {
  const { page, problems, context } = await connectedPage('xss/#')
  const payloads = ['<script>window.__xss = 1</script>', '<img src=x onerror="window.__xss = 2">']
  await publish('xss/<b>bold', payloads[0])
  await publish('xss/<img src=y onerror=alert(1)>', payloads[1])
  await waitForCount(page, 'message-count', 2)
  const texts = await page.$$eval('[data-testid=message-payload]', (nodes) => nodes.map((n) => n.textContent))
  assert.deepEqual(texts, payloads)
  const topics = await page.$$eval('[data-testid=message-topic]', (nodes) => nodes.map((n) => n.textContent))
  assert.deepEqual(topics, ['xss/<b>bold', 'xss/<img src=y onerror=alert(1)>'])
  await page.locator('[data-testid=message]').last().click()
  assert.equal(await page.getByTestId('detail-payload').textContent(), payloads[1])
  for (const view of ['text', 'hex', 'base64', 'cbor', 'msgpack']) {
    await page.getByTestId('payload-view').selectOption(view)
  }
  await page.getByTestId('payload-view').selectOption('auto')
  // The topic tree shows them as text too.
  await page.locator('[data-testid=tree-node][data-path=xss]').waitFor()
  await page.locator('[data-testid=tree-node][data-path=xss] .tree-toggle').click()
  await page.locator('[data-testid=tree-node][data-path="xss/<b>bold"]').waitFor()
  const values = await page.$$eval('[data-testid=tree-value]', (nodes) => nodes.map((n) => n.textContent))
  assert.ok(values.includes(payloads[0]), values.join(' | '))
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  assert.equal(await page.locator('main img, main script, main b').count(), 0)
  assert.deepEqual(problems, [])
  await context.close()
})

test('export writes parseable NDJSON of the filtered view; tree filters; chart plots', async () => {
  const { page, problems, context } = await connectedPage('device/#')
  await publishMany((i) => `device/${i % 2 ? 'temp' : 'light'}/details`, 200,
    (i) => JSON.stringify({ i, currentTemp: 20 + (i % 7) }))
  await publish('device/bin', Buffer.from([0xff, 0x00, 0x80]))
  await waitForCount(page, 'message-count', 201)

  const download = page.waitForEvent('download')
  await page.getByTestId('export-ndjson').click()
  const file = await (await download).path()
  const lines = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line))
  assert.equal(lines.length, 201)
  assert.deepEqual(JSON.parse(lines[0].payload), { i: 0, currentTemp: 20 })
  assert.equal(lines[0].topic, 'device/light/details')
  assert.equal(lines[0].qos, 1)
  assert.equal(lines[200].payload_base64, '/wCA')
  await page.getByTestId('export-status').filter({ hasText: 'saved 201' }).waitFor()

  // Clicking a tree node filters the log to it; export follows the filter.
  await page.locator('[data-testid=tree-node][data-path=device] .tree-toggle').click()
  await page.locator('[data-testid=tree-node][data-path="device/temp"] .tree-name').click()
  assert.equal(await page.getByTestId('filter-topic').inputValue(), 'device/temp/#')
  await waitForCount(page, 'shown-count', 100)
  const filtered = page.waitForEvent('download')
  await page.getByTestId('export-csv').click()
  const csv = (await readFile(await (await filtered).path(), 'utf8')).trim().split('\r\n')
  assert.equal(csv.length, 101)
  assert.equal(csv[0], 'time,topic,qos,retain,dup,size,truncated,encoding,payload')
  assert.ok(csv.slice(1).every((line) => line.includes(',device/temp/details,1,')))

  // Chart: a series on currentTemp backfills and plots.
  await page.getByTestId('chart-filter').fill('device/temp/details')
  await page.getByTestId('chart-field').fill('currentTemp')
  await page.getByTestId('chart-add').click()
  await page.getByTestId('chart-series').filter({ hasText: '100 points' }).waitFor()
  const points = await page.getByTestId('chart-line').getAttribute('points')
  assert.ok(points.trim().split(' ').length >= 2)
  assert.deepEqual(problems, [])
  await context.close()
})

test('topic tree rows and chart series update in place as messages arrive (no element churn)', async () => {
  // Replacing a row on every update leaks: Leptos keeps each replaced row's
  // reactive owner allocated until the panel unmounts (the soak saw wasm
  // memory creep). Rows must keep their element and change their text.
  const { page, problems, context } = await connectedPage('steady/#')
  await publishMany('steady/sensor', 5, (i) => JSON.stringify({ i, level: i * 2 }))
  await page.locator('[data-testid=tree-node][data-path=steady]').waitFor()
  await page.getByTestId('chart-filter').fill('steady/sensor')
  await page.getByTestId('chart-field').fill('level')
  await page.getByTestId('chart-add').click()
  await page.getByTestId('chart-series').filter({ hasText: '5 points' }).waitFor()
  // Tag the current elements; the tags survive only if the elements do.
  await page.evaluate(() => {
    document.querySelector('[data-testid=tree-node][data-path=steady]').dataset.tagged = 'tree'
    document.querySelector('[data-testid=chart-series]').dataset.tagged = 'legend'
    document.querySelector('[data-testid=chart-line]').dataset.tagged = 'line'
  })
  const pointsBefore = await page.getByTestId('chart-line').getAttribute('points')

  await publishMany('steady/sensor', 5, (i) => JSON.stringify({ i, level: i * 3 }), 5)
  const node = page.locator('[data-testid=tree-node][data-path=steady]')
  await node.locator('[data-testid=tree-count]').filter({ hasText: /^10$/ }).waitFor()
  await page.getByTestId('chart-series').filter({ hasText: '10 points, last 27' }).waitFor()
  assert.equal(await node.getAttribute('data-tagged'), 'tree')
  assert.equal(await page.getByTestId('chart-series').getAttribute('data-tagged'), 'legend')
  const line = page.getByTestId('chart-line')
  assert.equal(await line.getAttribute('data-tagged'), 'line')
  assert.notEqual(await line.getAttribute('points'), pointsBefore)
  // The child row shows the latest value, also updated in place.
  await node.locator('.tree-toggle').click()
  const child = page.locator('[data-testid=tree-node][data-path="steady/sensor"]')
  await child.locator('[data-testid=tree-value]').filter({ hasText: '"level":27' }).waitFor()
  await child.evaluate((el) => { el.dataset.tagged = 'child' })
  await publish('steady/sensor', JSON.stringify({ i: 10, level: 99 }))
  await child.locator('[data-testid=tree-value]').filter({ hasText: '"level":99' }).waitFor()
  assert.equal(await child.getAttribute('data-tagged'), 'child')
  assert.deepEqual(problems, [])
  await context.close()
})

test('the message cap is set from the toolbar: lowering it drops the oldest at once, counted', async () => {
  const { page, problems, context } = await connectedPage('capped/#', 0)
  assert.equal(await page.getByTestId('log-cap').inputValue(), '1000000')
  await publishMany('capped/x', 1200, (i) => JSON.stringify({ i }))
  await waitForCount(page, 'message-count', 1200)
  await page.getByTestId('log-cap').selectOption('1000')
  await waitForCount(page, 'message-count', 1000)
  await page.getByTestId('dropped-count').filter({ hasText: '200 older dropped' }).waitFor()
  // The newest are kept: the first row is message 200.
  await page.getByTestId('message-log').evaluate((el) => { el.scrollTop = 0 })
  await page.waitForFunction(() => {
    const first = document.querySelector('[data-testid=message] [data-testid=message-payload]')
    return first && JSON.parse(first.textContent).i === 200
  }, null, { timeout: 5000 })
  // New messages keep the log at the cap.
  await publishMany('capped/x', 50, (i) => JSON.stringify({ i }), 1200)
  await page.getByTestId('dropped-count').filter({ hasText: '250 older dropped' }).waitFor()
  await waitForCount(page, 'message-count', 1000)
  assert.deepEqual(problems, [])
  await context.close()
})
