// Page security: a strict CSP with zero violations during a full session,
// and hostile topics/payloads rendered as literal text.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  brokerSiteAndBrowser, connectPage, openApp, outsideClient, ROOT, subscribePage
} from './harness.mjs'

const env = brokerSiteAndBrowser({ wsPort: 19103, tcpPort: 11903 })

/** A page that records CSP violations and any sign of script injection. */
async function watchedApp () {
  const context = await env.browser.newContext()
  await context.addInitScript(() => {
    window.__cspViolations = []
    window.__xss = 0
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sample})`)
    })
  })
  const opened = await openApp(context, env.site.url)
  return { context, ...opened }
}

test('the page ships a strict Content-Security-Policy', async () => {
  const { page, context } = await watchedApp()
  const policy = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content')
  assert.ok(policy, 'CSP meta tag present')
  assert.match(policy, /default-src 'none'/)
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/)
  assert.doesNotMatch(policy, /'unsafe-eval'|'unsafe-inline'/)
  assert.match(policy, /connect-src [^;]*ws: wss:[^;]*https:\/\/\*\.amazonaws\.com/)
  // The CSP is enforced: an inline script injected now is refused.
  await page.evaluate(() => {
    const script = document.createElement('script')
    script.textContent = 'window.__xss = 1'
    document.body.append(script)
  })
  assert.equal(await page.evaluate(() => window.__xss), 0)
  assert.ok((await page.evaluate(() => window.__cspViolations)).length >= 1, 'the injected script was reported')
  await context.close()
})

test('the release policy allows no plain-http origin; only a test build adds loopback ones', async () => {
  const { page, context } = await watchedApp()
  const policy = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content')
  assert.doesNotMatch(policy, /http:\/\/|127\.0\.0\.1|localhost/, policy)
  await context.close()

  // The hook makes a test build on request, with loopback origins only.
  const dir = mkdtempSync(join(tmpdir(), 'csp-'))
  try {
    const built = join(process.env.MQTT_CONSOLE_DIST ?? join(ROOT, 'dist'), 'index.html')
    copyFileSync(built, join(dir, 'index.html'))
    const hook = (origins) => spawnSync(process.execPath, [join(ROOT, 'scripts', 'csp-hook.mjs'), dir], {
      env: { ...process.env, MQTT_CONSOLE_CSP_TEST_ORIGINS: origins }, encoding: 'utf8'
    })
    assert.equal(hook('http://127.0.0.1:* http://localhost:*').status, 0)
    const testPolicy = readFileSync(join(dir, 'index.html'), 'utf8').match(/content="([^"]*)"/)[1]
    assert.match(testPolicy, /connect-src 'self' ws: wss: [^;]* http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*;/)
    assert.equal((readFileSync(join(dir, 'index.html'), 'utf8').match(/Content-Security-Policy/g) ?? []).length, 1)
    const refused = hook('https://evil.example')
    assert.notEqual(refused.status, 0)
    assert.match(refused.stderr, /may only name loopback/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a full session causes no CSP violation', async () => {
  const { page, problems, context } = await watchedApp()
  await connectPage(page, env.broker.wsUrl)
  await subscribePage(page, 'csp/#', 1)
  const outside = await outsideClient(env.broker.tcpUrl)
  outside.publish('csp/a', '{"v": 1}', { qos: 1 })
  await page.locator('[data-testid=message][data-topic="csp/a"]').waitFor()
  await page.getByTestId('publish-topic').fill('csp/b')
  await page.getByTestId('publish').click()
  await page.locator('[data-testid=message][data-topic="csp/b"]').waitFor()
  await page.getByTestId('share-link').click()
  await page.getByTestId('disconnect').click()
  outside.end(true)
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [])
  assert.deepEqual(problems, [])
  await context.close()
})

const HOSTILE = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=2</script>',
  '"><svg onload=window.__xss=3>',
  '{"name": "<b onmouseover=window.__xss=4>bold</b>"}'
]

test('hostile payloads and topics render as literal text in the log', async () => {
  const { page, problems, context } = await watchedApp()
  await connectPage(page, env.broker.wsUrl)
  await subscribePage(page, 'xss/#', 0)
  const outside = await outsideClient(env.broker.tcpUrl)
  for (const [i, payload] of HOSTILE.entries()) outside.publish(`xss/${i}`, payload)
  outside.publish('xss/<img src=x onerror=window.__xss=5>', 'topic attack')
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=message]').length >= 5)

  const payloads = await page.getByTestId('message-payload').allTextContents()
  for (const payload of HOSTILE) {
    // Auto view may pretty-print JSON; the markup must still be literal text.
    const literal = payload.startsWith('{') ? JSON.parse(payload).name : payload
    assert.ok(payloads.some((text) => text.includes(literal)), `shown literally: ${payload}`)
  }
  const topics = await page.getByTestId('message-topic').allTextContents()
  assert.ok(topics.includes('xss/<img src=x onerror=window.__xss=5>'))
  const log = page.getByTestId('message-log')
  assert.equal(await log.locator('img, script, svg, b').count(), 0, 'no element was created from a payload')
  await page.locator('[data-testid=message]').first().hover()
  assert.equal(await page.evaluate(() => window.__xss), 0, 'no injected code ran')
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [])
  outside.end(true)
  assert.deepEqual(problems, [])
  await context.close()
})
