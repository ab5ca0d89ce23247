// The release build works from any static host under any base path: a
// `trunk build --release --public-url /mqtt-console/` build (scripts/test.sh
// makes it in dist-subpath/) served only under /mqtt-console/ connects,
// receives, and makes share links that point back under that path.

import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import {
  ROOT, connectPage, launchBrowser, openApp, outsideClient, serveDist, startBroker, subscribePage
} from './harness.mjs'

const DIR = process.env.MQTT_CONSOLE_SUBPATH_DIST ?? join(ROOT, 'dist-subpath')
let broker, site, browser

before(async () => {
  broker = await startBroker({ wsPort: 19105, tcpPort: 11905 })
  site = await serveDist({ dir: DIR, prefix: '/mqtt-console/' })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await site?.stop()
  await broker?.stop()
})

test('a build for /mqtt-console/ works when hosted under that path only', async () => {
  const context = await browser.newContext()
  const { page, problems } = await openApp(context, site.url)
  await connectPage(page, broker.wsUrl)
  await subscribePage(page, 'hosted/#', 0)
  const outside = await outsideClient(broker.tcpUrl)
  outside.publish('hosted/x', 'from a sub-path')
  await page.locator('[data-testid=message][data-topic="hosted/x"]').waitFor()
  outside.end(true)
  await page.getByTestId('share-link').click()
  const link = await page.getByTestId('share-link-output').inputValue()
  assert.ok(link.startsWith(`${site.url}#share=`), link)
  await page.getByTestId('disconnect').click()
  assert.deepEqual(problems, [])
  await context.close()
})
