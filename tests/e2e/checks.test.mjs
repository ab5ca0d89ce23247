// Device checks, end to end: through the checks panel and through
// mqttConsole.runChecks, against the example's simulated device (mqtt.js
// answering device/+/cmd on device/<id>/status).

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startDevice } from '../../examples/headless-device-test/device.mjs'
import { launchBrowser, openApp, serveDist, startBroker } from './harness.mjs'

let broker, device, site, browser

before(async () => {
  broker = await startBroker({ wsPort: 19132, tcpPort: 11932 })
  device = await startDevice({ brokerUrl: broker.tcpUrl })
  site = await serveDist()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await site?.stop()
  await device?.stop()
  await broker?.stop()
})

/**
 * Page errors and console errors, except CSP reports about inline styles
 * (other panels' business; covered by their own tests).
 */
function pageProblems (problems) {
  return problems.filter((text) => !text.includes("Content Security Policy directive 'style-src"))
}

async function freshPage () {
  const opened = await openApp(browser.context, site.url)
  await opened.page.evaluate(() => localStorage.clear())
  await opened.page.reload()
  await opened.page.waitForFunction(() => window.mqttConsole)
  return opened
}

const statusOk = {
  name: 'status ok',
  publish: { topic: 'device/42/cmd', payload: { cmd: 'status' }, qos: 1 },
  expect: { topic: 'device/42/status', jsonPath: '$.status', equals: 'ok' },
  withinMs: 3000
}

test('runChecks: a passing check, a failing one, a silent one, a broken one', async () => {
  const { page, problems } = await freshPage()
  const notConnected = await page.evaluate((checks) => window.mqttConsole.runChecks(checks), [statusOk])
  assert.equal(notConnected.results[0].outcome, 'error')
  assert.match(notConnected.results[0].detail, /not connected/)

  await page.evaluate((url) => window.mqttConsole.connect({ url }), broker.wsUrl)
  const checks = [
    statusOk,
    {
      name: 'set temperature',
      publish: { topic: 'device/43/cmd', payload: '{"cmd":"set","temp":19}' },
      expect: { topic: 'device/43/status', jsonPath: 'temp', equals: 19.0 },
      withinMs: 3000
    },
    {
      name: 'unknown command is ok (it is not)',
      publish: { topic: 'device/42/cmd', payload: { cmd: 'dance' } },
      expect: { topic: 'device/42/status', jsonPath: '$.status', equals: 'ok' },
      withinMs: 800
    },
    { name: 'silent topic', expect: { topic: 'device/42/never', contains: 'x' }, withinMs: 300 },
    { name: 'reboot comes back', publish: { topic: 'device/44/cmd', payload: { cmd: 'reboot' } }, expect: { topic: 'device/44/status', regex: /"status":\s*"OK"/i }, withinMs: 3000 },
    { name: 'bad filter', expect: { topic: 'a/#/b' } }
  ]
  const report = await page.evaluate((checks) => window.mqttConsole.runChecks(checks), checks)
  assert.equal(report.passed, false)
  assert.equal(report.total, 6)
  assert.equal(report.summary, '3 of 6 checks passed, 2 failed, 1 could not run')
  const [ok, set, unknown, silent, reboot, bad] = report.results

  assert.equal(ok.outcome, 'passed')
  assert.equal(ok.passed, true)
  assert.equal(ok.name, 'status ok')
  assert.equal(ok.matched.topic, 'device/42/status')
  assert.match(ok.matched.payload, /"status":"ok"/)
  assert.ok(ok.elapsedMs >= 0 && ok.elapsedMs < 3000, String(ok.elapsedMs))
  assert.equal(ok.expected, 'a message on "device/42/status" whose $.status equals "ok"')

  assert.equal(set.outcome, 'passed')

  assert.equal(unknown.outcome, 'failed')
  assert.equal(unknown.mismatches, 1)
  assert.match(unknown.detail, /^1 message arrived on "device\/42\/status" within 800 ms but none matched; the last, on "device\/42\/status", was \{"status":"error","error":"unknown command \\"dance\\""\}: \$\.status is "error", not "ok"$/)

  assert.equal(silent.outcome, 'failed')
  assert.equal(silent.detail, 'no message arrived on "device/42/never" within 300 ms')

  assert.equal(reboot.outcome, 'passed', reboot.detail)
  assert.equal(reboot.mismatches, 1, 'the "rebooting" status came first')

  assert.equal(bad.outcome, 'error')
  assert.match(bad.detail, /invalid topic filter `a\/#\/b`/)

  // The checks subscribed what they needed, visibly.
  await page.locator('[data-testid=subscription][data-filter="device/42/status"][data-status=granted]').waitFor()

  await assert.rejects(page.evaluate(() => window.mqttConsole.runChecks([{ expect: {}, within: 5 }])),
    /mqttConsole\.runChecks: check 1: unknown field `within`/)
  await page.evaluate(() => window.mqttConsole.disconnect())
  await page.close()
  assert.deepEqual(pageProblems(problems), [])
})

test('checks panel: add, edit, run (pass and fail), remove; kept across reloads', async () => {
  const { page, problems } = await freshPage()
  await page.getByTestId('checks-empty').waitFor()
  await page.evaluate((url) => window.mqttConsole.connect({ url }), broker.wsUrl)

  // A new check starts from the example: status of device 1 must be ok.
  await page.getByTestId('checks-add').click()
  const first = page.getByTestId('check').nth(0)
  await first.getByTestId('check-name').fill('device 42 reports ok')
  await first.getByTestId('check-publish-topic').fill('device/42/cmd')
  await first.getByTestId('check-publish-payload').fill('{"cmd": "status"}')
  await first.getByTestId('check-expect-topic').fill('device/42/status')
  assert.equal(await first.getByTestId('check-expect-kind').inputValue(), 'equals')
  await first.getByTestId('check-expect-path').fill('$.status')
  await first.getByTestId('check-expect-value').fill('ok')
  await first.getByTestId('check-within').fill('3000')

  await page.getByTestId('checks-add').click()
  const second = page.getByTestId('check').nth(1)
  await second.getByTestId('check-name').fill('temperature is 30')
  await second.getByTestId('check-publish-topic').fill('device/42/cmd')
  await second.getByTestId('check-expect-topic').fill('device/42/status')
  await second.getByTestId('check-expect-path').fill('temp')
  await second.getByTestId('check-expect-value').fill('30')
  await second.getByTestId('check-within').fill('700')

  await page.getByTestId('checks-run').click()
  await page.locator('[data-testid=check][data-index="0"][data-status=passed]').waitFor({ timeout: 10000 })
  await page.locator('[data-testid=check][data-index="1"][data-status=failed]').waitFor({ timeout: 10000 })
  await page.locator('[data-testid=checks-summary][data-passed=false]').waitFor()
  assert.equal(await page.getByTestId('checks-summary').textContent(), '1 of 2 checks passed, 1 failed')
  assert.equal(await first.getByTestId('check-outcome').textContent(), 'PASS')
  assert.match(await first.getByTestId('check-detail').textContent(), /"status":"ok".* arrived on "device\/42\/status" after \d+ ms/)
  assert.equal(await second.getByTestId('check-outcome').textContent(), 'FAIL')
  assert.match(await second.getByTestId('check-detail').textContent(), /\$\.temp is 21\.5, not 30/)

  // Fix the second check and run it alone.
  await second.getByTestId('check-expect-value').fill('21.5')
  await second.getByTestId('check-run').click()
  await page.locator('[data-testid=check][data-index="1"][data-status=passed]').waitFor({ timeout: 10000 })
  assert.equal(await page.getByTestId('checks-summary').textContent(), '1 of 1 check passed')

  // Regex and contains kinds.
  await second.getByTestId('check-expect-kind').selectOption('regex')
  assert.equal(await second.getByTestId('check-expect-path').isVisible(), false, 'no path for a regex')
  await second.getByTestId('check-expect-value').fill('"temp":\\s*21\\.5')
  await second.getByTestId('check-run').click()
  await page.locator('[data-testid=check][data-index="1"][data-status=passed]').waitFor({ timeout: 10000 })

  // Kept across a reload, results are not.
  await page.reload()
  await page.waitForFunction(() => window.mqttConsole)
  assert.equal(await page.getByTestId('check').count(), 2)
  assert.equal(await page.getByTestId('check').nth(1).getByTestId('check-expect-kind').inputValue(), 'regex')
  assert.equal(await page.getByTestId('check').nth(0).getByTestId('check-name').inputValue(), 'device 42 reports ok')
  assert.equal(await page.locator('[data-testid=check][data-status=idle]').count(), 2)

  // Running while disconnected says so.
  await page.getByTestId('checks-run').click()
  await page.locator('[data-testid=check][data-index="0"][data-status=error]').waitFor()
  assert.match(await page.getByTestId('check').nth(0).getByTestId('check-detail').textContent(), /not connected/)

  await page.getByTestId('check').nth(0).getByTestId('check-remove').click()
  assert.equal(await page.getByTestId('check').count(), 1)
  assert.equal(await page.getByTestId('check').nth(0).getByTestId('check-name').inputValue(), 'temperature is 30')
  await page.close()
  assert.deepEqual(pageProblems(problems), [])
})
