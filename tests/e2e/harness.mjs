// Shared fixtures for the end-to-end tests: a real aedes broker (the same
// dev-broker the Run command starts), a static server for the built `dist/`,
// headless Debian Chromium driven by playwright-core, and mqtt.js as the
// outside client.

import { spawn } from 'node:child_process'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, extname, join, normalize } from 'node:path'
import { after, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import mqtt from 'mqtt'
import { chromium } from 'playwright-core'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
// MQTT_CONSOLE_DIST lets a test run serve another build of the page.
const DIST = process.env.MQTT_CONSOLE_DIST ?? join(ROOT, 'dist')

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage'
]

/** Starts the dev broker on the given ports; resolves once it is listening. */
export async function startBroker ({ wsPort, tcpPort, extraArgs = [] }) {
  const child = spawn(process.execPath, [
    join(ROOT, 'dev-broker', 'broker.mjs'), '--ws-port', String(wsPort), '--tcp-port', String(tcpPort), ...extraArgs
  ], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (data) => { if (String(data).includes('"ready"')) resolve() })
    child.on('exit', (code) => reject(new Error(`broker exited with ${code}`)))
  })
  return {
    wsUrl: `ws://127.0.0.1:${wsPort}/mqtt`,
    tcpUrl: `mqtt://127.0.0.1:${tcpPort}`,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.on('exit', resolve)
      child.kill('SIGTERM')
    })
  }
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json'
}

/**
 * Serves `dist/` (the `trunk build --release` output) on 127.0.0.1, or
 * another build `dir` under a base path `prefix` (as a static host would
 * serve a `--public-url /prefix/` build). Anything else is a 404.
 */
export async function serveDist ({ dir = DIST, prefix = '/', headers = {} } = {}) {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html missing: run \`trunk build --release\` first (scripts/test.sh does)`)
  }
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url, 'http://x').pathname)
    if (!pathname.startsWith(prefix)) {
      response.writeHead(404)
      response.end()
      return
    }
    const path = normalize(pathname.slice(prefix.length - 1)).replace(/^(\.\.[/\\])+/, '')
    let file = join(dir, path)
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(dir, 'index.html')
    response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', ...headers })
    createReadStream(file).pipe(response)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}${prefix}`,
    // Idle keep-alive connections from the browser would hold close() open.
    stop: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections() })
  }
}

/**
 * Launches headless Chromium (Playwright gives it a fresh temporary profile).
 * `context` is a default browser context; `newContext()` makes another one
 * with its own empty storage, for tests that need a clean page.
 */
export async function launchBrowser () {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS
  })
  const context = await browser.newContext()
  return {
    browser,
    context,
    newContext: (options = {}) => browser.newContext({ acceptDownloads: true, ...options }),
    close: () => browser.close()
  }
}

/** Opens the app and waits until it has rendered. Records console errors and panics. */
export async function openApp (context, url) {
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`)
  })
  await page.goto(url)
  await page.getByTestId('connection-status').waitFor()
  return { page, problems }
}

/** An mqtt.js client outside the page; resolves once connected. */
export async function outsideClient (url, options = {}) {
  const client = mqtt.connect(url, { reconnectPeriod: 0, ...options })
  await new Promise((resolve, reject) => {
    client.once('connect', resolve)
    client.once('error', reject)
  })
  return client
}

/** Connects the page to `brokerUrl` through the connection panel. */
export async function connectPage (page, brokerUrl) {
  await page.getByTestId('broker-url').fill(brokerUrl)
  await page.getByTestId('connect').click()
  await page.locator('[data-testid=connection-status][data-status=connected]').waitFor({ timeout: 10000 })
}

/** Subscribes through the subscribe panel and waits for the SUBACK. */
export async function subscribePage (page, filter, qos = 0) {
  await page.getByTestId('subscribe-filter').fill(filter)
  await page.getByTestId('subscribe-qos').selectOption(String(qos))
  await page.getByTestId('subscribe').click()
  await page.locator(`[data-testid=subscription][data-filter="${filter}"][data-status=granted]`).waitFor({ timeout: 10000 })
}

/**
 * For a test file: registers hooks that start a broker on these ports, serve
 * the built page and launch Chromium before its tests, and stop them after.
 * Returns an object whose `broker`, `site` and `browser` are set by then.
 */
export function brokerSiteAndBrowser ({ wsPort, tcpPort }) {
  const env = {}
  before(async () => {
    env.broker = await startBroker({ wsPort, tcpPort })
    env.site = await serveDist()
    env.browser = await launchBrowser()
  })
  after(async () => {
    await env.browser?.close()
    await env.site?.stop()
    await env.broker?.stop()
  })
  return env
}
