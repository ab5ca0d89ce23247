// In-browser benchmark of the message log (issue 6), side by side in one
// headless Chromium run, against the real local aedes broker (one MQTT
// packet per WebSocket frame) with an outside publisher sending as fast as it
// can. Pages are driven over a plain DevTools connection (no Playwright: its
// per-frame WebSocket reporting slows pages down) and every rate is measured
// inside the page, from the first to the last message received.
//
//   node benches/browser/run.mjs [--quick] [--skip-scale] [--rounds N] [--out FILE]
//        [--only receive|client|render|scale]
//        (every page runs N times per scenario, default 3, in a rotating
//        order; the table shows each page's median run and the range)
//   node benches/browser/run.mjs --profile ours|mqttjs|raw [--size 64] [--broker]
//        (CPU profile of a client-only run, or of a run through the broker:
//        top functions by self time)
//
// Every run through the broker also records the CPU each process used per
// message (Chromium's by process type, the broker, the publisher), since on
// 2 cores the rate follows the total. For comparing changes:
//   --threads              that CPU per thread, with wake-ups per message
//   --scenario 64B-qos0    one receive scenario only
//   --kinds raw,ours       only these pages (`raw:channel=storage`: the raw
//                          page with one extra parameter, see pages/raw.html)
//   --compare DIR          another build as page "base" in the same rounds
//   --pin                  Chromium on one core, broker + publisher on the other
//
// Needs the release build: `trunk build --release` (dist/), or set
// MQTT_CONSOLE_DIST to another build. Prints a table and writes JSON
// (default benches/browser/results.json). Not part of CI.

import { spawn } from 'node:child_process'
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '..', '..')
const DIST = process.env.MQTT_CONSOLE_DIST ?? join(ROOT, 'dist')
const PAGES = join(HERE, 'pages')
const args = process.argv.slice(2)
const QUICK = args.includes('--quick')
const SKIP_SCALE = args.includes('--skip-scale')
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(HERE, 'results.json')
const WS_PORT = 19401
const TCP_PORT = 11941
const scale = (n) => QUICK ? Math.max(1000, Math.round(n / 10)) : n
// `--only receive|client|render|scale`: one part (the table shows what ran).
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : null
const wanted = (part) => ONLY === null || ONLY === part
// The receive scenarios run, beside the raw page, the same page after one
// localStorage read (`raw:channel=storage`): a control showing what any
// other browser channel in a page costs each received frame in Chromium.
// `--kinds raw,ours`: only these pages.
const CONTROL = 'raw:channel=storage'
const KINDS = args.includes('--kinds') ? args[args.indexOf('--kinds') + 1].split(',') : ['raw', CONTROL, 'mqttjs', 'ours']
// `--pin`: Chromium on the second core, broker and publisher on the first
// (steadier figures for comparing builds; not how the table is measured).
const PIN = args.includes('--pin')
// `--compare DIR`: another build of the app (made with `trunk build
// --release --public-url /base/ --dist DIR`), run as page "base" beside
// "ours" in the same rounds: for A/B comparisons of a change, which runs
// minutes apart cannot make on a machine whose speed drifts.
const COMPARE = args.includes('--compare') ? args[args.indexOf('--compare') + 1] : null
const CLIENT_KINDS = args.includes('--kinds') ? KINDS : ['raw', 'mqttjs', 'ours']
const ROUNDS = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : (QUICK ? 1 : 3)

/** [command, args] for spawn(), run on one core when `--pin` is given. */
const onCore = (core, command, commandArgs) =>
  PIN ? ['taskset', ['-c', String(core), command, ...commandArgs]] : [command, commandArgs]
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const log = (...parts) => console.error('[bench]', ...parts)

// ---------------------------------------------------------------- services

async function startBroker () {
  const child = spawn(...onCore(0, process.execPath, [join(ROOT, 'dev-broker', 'broker.mjs'),
    '--ws-port', String(WS_PORT), '--tcp-port', String(TCP_PORT)]), { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (data) => { if (String(data).includes('"ready"')) resolve() })
    child.on('exit', (code) => reject(new Error(`broker exited with ${code}`)))
  })
  return { url: `ws://127.0.0.1:${WS_PORT}/mqtt`, stop: () => child.kill('SIGTERM') }
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' }

async function serve () {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html missing: run \`trunk build --release\` first`)
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '')
    const root = COMPARE && (path === '/base' || path.startsWith('/base/')) ? COMPARE : DIST
    let file
    if (root === COMPARE) file = join(COMPARE, path.slice('/base'.length))
    else if (path === '/mqtt.min.js') file = join(ROOT, 'node_modules', 'mqtt', 'dist', 'mqtt.min.js')
    else if (path.startsWith('/bench/')) file = join(PAGES, path.slice('/bench/'.length))
    else file = join(DIST, path)
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html')
    response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' })
    createReadStream(file).pipe(response)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => server.close() }
}

function publish ({ topic, count, size, qos = 0, rate = 0 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(...onCore(0, process.execPath, [join(HERE, 'publisher.mjs'), '--port', String(TCP_PORT), '--topic', topic,
      '--count', String(count), '--size', String(size), '--qos', String(qos), '--rate', String(rate)]),
    { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (data) => { out += data })
    child.on('exit', (code) => code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`publisher exited with ${code}`)))
  })
}

// ------------------------------------------------------------ CPU per process

const TICK_MS = 10 // USER_HZ is 100 on Linux
// `--threads`: also per thread of each Chromium process.
const THREADS = args.includes('--threads')

/**
 * A `/proc/…/stat` line: the name, CPU ms used (user + system) and CPU ms
 * of waited-for children. Fields are counted after the name, which may
 * hold spaces.
 */
function readStat (path) {
  const text = readFileSync(path, 'utf8')
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return {
    name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
    cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
    childrenMs: (Number(fields[13]) + Number(fields[14])) * TICK_MS
  }
}

/** CPU time (ms) used so far by each process that matters here, by role. */
function cpuSnapshot () {
  const roles = new Map()
  const add = (role, ms) => roles.set(role, (roles.get(role) ?? 0) + ms)
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let cmdline, ms
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      ms = readStat(`/proc/${pid}/stat`).cpuMs
    } catch { continue } // exited meanwhile
    const line = cmdline.join(' ')
    if (/chromium/.test(cmdline[0])) {
      // Child processes rewrite their title, so match the whole line.
      const type = /--type=(\S+)/.exec(line)?.[1]
      const sub = /--utility-sub-type=(\S+)/.exec(line)?.[1]
      const role = type === undefined ? 'browser' : type === 'utility' ? (sub?.includes('network') ? 'network' : 'utility') : type === 'gpu-process' ? 'gpu' : type
      add(role, ms)
      if (THREADS) {
        for (const tid of readdirSync(`/proc/${pid}/task`, { throwIfNoEntry: false }) ?? []) {
          try {
            const thread = readStat(`/proc/${pid}/task/${tid}/stat`)
            const name = thread.name.replace(/\d+$/, '')
            add(`${role}/${name}`, thread.cpuMs)
            // Wake-ups: voluntary context switches, stored in thousands so
            // that cpuPerMessage() gives them per message.
            const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')
            add(`${role}/${name} wakeups`, Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1000)
          } catch {}
        }
      }
    } else if (cmdline.some((a) => a.endsWith('broker.mjs'))) {
      add('broker', ms)
    }
  }
  // The publisher has exited and been waited for by then: its time is ours.
  add('publisher', readStat('/proc/self/stat').childrenMs)
  return roles
}

/** µs of CPU per message for each role between two snapshots. */
function cpuPerMessage (before, after, messages) {
  const out = {}
  for (const [role, ms] of after) {
    const used = ms - (before.get(role) ?? 0)
    if (used > 0) out[role] = +(1000 * used / messages).toFixed(1)
  }
  return out
}

// ------------------------------------------------------- DevTools protocol

class Cdp {
  static async launch () {
    const userDataDir = mkdtempSync(join(tmpdir(), 'mqtt-console-bench-'))
    const child = spawn(...onCore(1, '/usr/bin/chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
      '--enable-precise-memory-info', '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, 'about:blank'
    ]), { stdio: 'ignore' })
    const portFile = join(userDataDir, 'DevToolsActivePort')
    for (let i = 0; i < 200 && !existsSync(portFile); i++) await sleep(50)
    const [port, path] = readFileSync(portFile, 'utf8').trim().split('\n')
    const version = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()
    const cdp = new Cdp(new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false, maxPayload: 1 << 30 }))
    await new Promise((resolve, reject) => { cdp.ws.once('open', resolve); cdp.ws.once('error', reject) })
    cdp.version = version.Browser
    cdp.close = async () => { child.kill('SIGTERM'); await sleep(300); rmSync(userDataDir, { recursive: true, force: true }) }
    return cdp
  }

  constructor (ws) {
    this.ws = ws
    this.nextId = 1
    this.pending = new Map()
    ws.on('message', (data) => {
      const message = JSON.parse(data)
      const waiter = this.pending.get(message.id)
      if (!waiter) return
      this.pending.delete(message.id)
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`))
      else waiter.resolve(message.result)
    })
  }

  send (method, params = {}, sessionId) {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ id, method, params, sessionId }))
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }))
  }

  async open (url, { preload } = {}) {
    // A fresh browser context per page: no storage carried between runs.
    const { browserContextId } = await this.send('Target.createBrowserContext', { disposeOnDetach: true })
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank', browserContextId })
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true })
    const send = (method, params) => this.send(method, params, sessionId)
    await send('Page.enable')
    await send('Runtime.enable')
    if (preload) await send('Page.addScriptToEvaluateOnNewDocument', { source: preload })
    await send('Page.navigate', { url })
    const page = {
      send,
      async eval (expression) {
        const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })
        if (exceptionDetails) throw new Error(`${expression.slice(0, 80)}…: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`)
        return result.value
      },
      async waitFor (expression, timeout = 20000) {
        const deadline = Date.now() + timeout
        while (Date.now() < deadline) {
          if (await page.eval(`!!(${expression})`).catch(() => false)) return
          await sleep(50)
        }
        throw new Error(`timed out waiting for ${expression}`)
      },
      async heap () {
        await send('HeapProfiler.collectGarbage')
        const { usedSize } = await send('Runtime.getHeapUsage')
        return usedSize
      },
      close: async () => {
        await this.send('Target.closeTarget', { targetId })
        await this.send('Target.disposeBrowserContext', { browserContextId }).catch(() => {})
      }
    }
    await page.waitFor("document.readyState === 'complete'")
    return page
  }
}

// ------------------------------------------------------------ the clients

const FAKE = readFileSync(join(PAGES, 'fake-socket.js'), 'utf8')

/** Opens one client page subscribed to `topic`; returns { page, stats() }. */
async function openClient (cdp, server, kind, { url, topic, qos, fake, size }) {
  const site = server.url
  const fakeParams = fake ? { fake: String(fake), fakeSize: String(size), fakeTopic: topic } : {}
  if (kind === 'ours' || kind === 'base') {
    // Only the hook's flag: `url`, `qos`, … are the app's own URL parameters.
    const params = new URLSearchParams({ bench: '1', ...fakeParams })
    const page = await cdp.open(`${site}/${kind === 'base' ? 'base/' : ''}?${params}`, { preload: FAKE })
    await page.waitFor("document.querySelector('[data-testid=connection-status]') && window.__mqttConsoleBench")
    await page.eval(`(async () => {
      const set = (id, value) => {
        const el = document.querySelector('[data-testid=' + id + ']')
        el.value = value
        el.dispatchEvent(new Event('input', { bubbles: true }))
        el.dispatchEvent(new Event('change', { bubbles: true }))
      }
      set('broker-url', ${JSON.stringify(url)})
      document.querySelector('[data-testid=connect]').click()
    })()`)
    await page.waitFor("document.querySelector('[data-testid=connection-status]').dataset.status === 'connected'")
    await page.eval(`(() => {
      const set = (id, value) => {
        const el = document.querySelector('[data-testid=' + id + ']')
        el.value = value
        el.dispatchEvent(new Event('input', { bubbles: true }))
        el.dispatchEvent(new Event('change', { bubbles: true }))
      }
      set('subscribe-filter', ${JSON.stringify(topic)})
      set('subscribe-qos', ${JSON.stringify(String(qos))})
      document.querySelector('[data-testid=subscribe]').click()
    })()`)
    await page.waitFor(`document.querySelector('[data-testid=subscription][data-filter="${topic}"][data-status=granted]')`)
    return {
      page,
      stats: async () => {
        const s = await page.eval('window.__mqttConsoleBench.stats()')
        return { count: s.received, first: s.firstAt, last: s.lastAt, wasmBytes: s.wasmBytes }
      }
    }
  }
  const params = new URLSearchParams({ url, topic, qos: String(qos), ...fakeParams })
  // `raw:a=1&b=2`: the raw page with extra parameters (experiments).
  const [base, extra] = kind.split(':')
  const file = kind === 'naive' ? 'mqttjs.html' : `${base}.html`
  for (const [k, v] of new URLSearchParams(extra ?? '')) params.set(k, v)
  if (kind === 'naive') params.set('naive', '1')
  const page = await cdp.open(`${site}/bench/${file}?${params}`, { preload: FAKE })
  await page.waitFor('window.__bench.subscribed || window.__fake')
  return { page, stats: () => page.eval('({ count: __bench.count, first: __bench.first, last: __bench.last })') }
}

/** Waits until `expected` messages arrived or nothing arrived for `idleMs`. */
async function collect (client, expected, idleMs = 5000) {
  let last = -1
  let lastChange = Date.now()
  for (;;) {
    const s = await client.stats()
    if (s.count >= expected) return s
    if (s.count !== last) { last = s.count; lastChange = Date.now() }
    if (Date.now() - lastChange > idleMs) return s
    await sleep(100)
  }
}

const rateOf = (s, start = s.first) => s.count > 1 ? (s.count - (start === s.first ? 1 : 0)) / ((s.last - start) / 1000) : 0

async function receiveRun (cdp, site, broker, kind, { name, count, size, qos }) {
  const topic = `bench/${name}/${kind}/${Date.now()}`
  const client = await openClient(cdp, site, kind, { url: broker.url, topic, qos })
  // Warm-up, equal for every page (JIT and wasm tier-up), then reset.
  const warmup = Math.max(1000, Math.round(count / 20))
  await publish({ topic, count: warmup, size, qos })
  await collect(client, warmup, 5000)
  await client.page.eval(kind === 'ours' || kind === 'base'
    ? 'window.__mqttConsoleBench.clear()'
    : 'Object.assign(window.__bench, { count: 0, first: NaN, last: NaN })')
  // `--hide`: our page with display: none (no layout or paint), to tell
  // what rendering costs while receiving.
  if ((kind === 'ours' || kind === 'base') && args.includes('--hide')) await client.page.eval("document.body.style.display = 'none'")
  const cpuBefore = cpuSnapshot()
  const published = publish({ topic, count, size, qos })
  const s = await collect(client, count, kind === 'naive' ? 15000 : 5000)
  await published
  const cpu = cpuPerMessage(cpuBefore, cpuSnapshot(), count)
  const result = { client: kind, messages: s.count, lost: count - s.count, rate: Math.round(rateOf(s)), cpuMicrosPerMessage: cpu }
  if (kind === 'naive' || kind === 'ours' || kind === 'base') {
    result.jsHeapMB = +((await client.page.heap()) / 1e6).toFixed(1)
    if (kind !== 'naive') result.wasmMB = +((await client.stats()).wasmBytes / 1e6).toFixed(1)
  }
  await client.page.close()
  log(name, kind, JSON.stringify(result))
  return result
}

async function fakeRun (cdp, site, kind, count) {
  const topic = 'bench/fake'
  const client = await openClient(cdp, site, kind, { url: 'ws://fake.invalid/mqtt', topic, qos: 0, fake: count, size: 64 })
  const s = await collect(client, count, 5000)
  const start = await client.page.eval('window.__fake.start')
  const result = { client: kind, messages: s.count, rate: Math.round(s.count / ((s.last - start) / 1000)) }
  await client.page.close()
  log('fake', kind, JSON.stringify(result))
  return result
}

async function scaleRun (cdp, site, broker, total) {
  const topic = 'bench/scale'
  const client = await openClient(cdp, site, 'ours', { url: broker.url, topic: 'bench/scale/#', qos: 0 })
  const { page } = client
  // Fill in parts so the broker never holds a huge backlog.
  const part = 100000
  for (let sent = 0; sent < total; sent += part) {
    const n = Math.min(part, total - sent)
    await publish({ topic: `${topic}/${(sent / part) % 10}`, count: n, size: 64, qos: 0 })
    await collect(client, sent + n, 10000)
  }
  const filled = await client.stats()
  const jsHeap = await page.heap()
  const wasm = (await client.stats()).wasmBytes
  const out = { messages: filled.count, jsHeapMB: +(jsHeap / 1e6).toFixed(1), wasmMB: +(wasm / 1e6).toFixed(1) }
  out.totalMB = +(out.jsHeapMB + out.wasmMB).toFixed(1)
  const filterTime = async (text, regex = false) => page.eval(`(async () => {
    const bench = window.__mqttConsoleBench
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve))
    const before = bench.lastFilter().ms
    const t0 = performance.now()
    bench.setRegex(${regex})
    bench.setTextFilter(${JSON.stringify(text)})
    await frame()
    for (;;) {
      const state = bench.lastFilter()
      if (!state.running && state.ms !== before) break
      await frame()
    }
    await frame()
    return { shownAfterMs: performance.now() - t0, ...bench.lastFilter() }
  })()`)
  out.filterMiss = await filterTime('no-such-text')
  out.filterHit = await filterTime('"currentTemp":27')
  out.filterRegex = await filterTime('"i":\\d*777,', true)
  await filterTime('', false)
  // Steady 5,000 msgs/s with the log full (the oldest are dropped meanwhile).
  await page.eval(`(() => {
    const f = window.__frames = { max: 0, over50: 0, frames: 0, longTaskMax: 0, last: performance.now(), run: true }
    const loop = (t) => { const d = t - f.last; f.last = t; if (d > f.max) f.max = d; if (d > 50) f.over50++; f.frames++; if (f.run) requestAnimationFrame(loop) }
    requestAnimationFrame((t) => { f.last = t; requestAnimationFrame(loop) })
    try {
      new PerformanceObserver((list) => { for (const e of list.getEntries()) f.longTaskMax = Math.max(f.longTaskMax, e.duration) })
        .observe({ type: 'longtask' })
    } catch {}
  })()`)
  const seconds = QUICK ? 5 : 20
  const profiling = args.includes('--profile-steady')
  if (profiling) {
    await page.send('Profiler.enable')
    await page.send('Profiler.setSamplingInterval', { interval: 500 })
    await page.send('Profiler.start')
    await page.eval(`(() => { window.__longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([Math.round(e.startTime), Math.round(e.duration)]) }).observe({ type: 'longtask' }) })()`)
  }
  const before = (await client.stats()).count
  await publish({ topic: `${topic}/steady`, count: 5000 * seconds, size: 64, qos: 0, rate: 5000 })
  await collect(client, before + 5000 * seconds, 5000)
  if (profiling) {
    const { profile } = await page.send('Profiler.stop')
    printProfile(profile)
    console.log('long tasks [start, ms]:', JSON.stringify(await page.eval('window.__longTasks')))
  }
  const frames = await page.eval('(() => { window.__frames.run = false; const { max, over50, frames, longTaskMax } = window.__frames; return { max, over50, frames, longTaskMax } })()')
  out.steady = { rate: 5000, seconds, longestFrameMs: +frames.max.toFixed(1), framesOver50ms: frames.over50, frames: frames.frames, longestTaskMs: frames.longTaskMax }
  const after = await client.stats()
  out.afterSteady = { count: after.count, wasmMB: +(after.wasmBytes / 1e6).toFixed(1), jsHeapMB: +((await page.heap()) / 1e6).toFixed(1) }
  await page.close()
  log('scale', JSON.stringify(out))
  return out
}

/** `--profile KIND`: CPU profile of a client-only run, top self times. */
async function profileFake (cdp, site, kind, count, size, broker) {
  const topic = 'bench/profile'
  const client = broker
    ? await openClient(cdp, site, kind, { url: broker.url, topic, qos: 0 })
    : await openClient(cdp, site, kind, { url: 'ws://fake.invalid/mqtt', topic, qos: 0, fake: count, size })
  if (args.includes('--paused')) await client.page.eval("document.querySelector('[data-testid=pause]').click()")
  // `--hide`: no layout or paint at all (display: none), to tell rendering
  // costs from receiving costs.
  if (args.includes('--hide')) await client.page.eval("document.body.style.display = 'none'")
  await client.page.send('Performance.enable')
  const metricsBefore = await client.page.send('Performance.getMetrics')
  await client.page.send('Profiler.enable')
  await client.page.send('Profiler.start')
  if (broker) await publish({ topic, count, size, qos: 0 })
  const stats = await collect(client, count, 5000)
  const { profile } = await client.page.send('Profiler.stop')
  console.log(`${stats.count} messages, ${Math.round(rateOf(stats))} msgs/s (cold, profiler on)`)
  const metricsAfter = await client.page.send('Performance.getMetrics')
  printProfile(profile)
  // Where the renderer's main thread went (seconds, or counts), including
  // the native work a CPU profile lumps into "(program)".
  const value = (metrics, name) => metrics.metrics.find((m) => m.name === name)?.value ?? 0
  const rows = ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration', 'LayoutCount', 'RecalcStyleCount']
    .map((name) => `${name} ${(value(metricsAfter, name) - value(metricsBefore, name)).toFixed(3)}`)
  console.log(rows.join('  '))
}

/** Prints the top functions of a CPU profile by self time. */
function printProfile (profile) {
  const self = new Map()
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const dt = profile.timeDeltas
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber}`
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0))
  })
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${key}`)
  }
}

/**
 * Runs every kind ROUNDS times, rotating the order each round so that no
 * page always runs first or last on a machine whose load drifts. Returns
 * each kind's median run (by rate) with every rate and the most messages
 * lost in any run.
 */
async function rounds (kinds, run) {
  const runs = Object.fromEntries(kinds.map((kind) => [kind, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(i + round) % kinds.length]
      runs[kind].push(await run(kind))
    }
  }
  return kinds.map((kind) => {
    const sorted = [...runs[kind]].sort((a, b) => a.rate - b.rate)
    const lost = runs[kind].some((r) => r.lost !== undefined) ? Math.max(...runs[kind].map((r) => r.lost ?? 0)) : undefined
    return { ...sorted[Math.floor(sorted.length / 2)], lost, rates: runs[kind].map((r) => Math.round(r.rate)) }
  })
}

// ------------------------------------------------------------------- main

const broker = await startBroker()
const site = await serve()
const cdp = await Cdp.launch()
if (args.includes('--profile-steady')) {
  // `--profile-steady [--quick]`: fill the log, then profile the steady phase.
  try {
    await scaleRun(cdp, site, broker, QUICK ? 100000 : 1000000)
  } finally {
    await cdp.close()
    site.stop()
    broker.stop()
  }
  process.exit(0)
}
if (args.includes('--profile')) {
  try {
    const size = args.includes('--size') ? Number(args[args.indexOf('--size') + 1]) : 64
    await profileFake(cdp, site, args[args.indexOf('--profile') + 1], scale(100000), size,
      args.includes('--broker') ? broker : null)
  } finally {
    await cdp.close()
    site.stop()
    broker.stop()
  }
  process.exit(0)
}
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGB: Math.round(totalmem() / 1e9), browser: cdp.version, node: process.version },
  quick: QUICK,
  receive: [],
  clientOnly: [],
  render: [],
  scale: null
}
try {
  const scenarios = [
    { name: '64B-qos0', count: scale(100000), size: 64, qos: 0 },
    { name: '1KB-qos0', count: scale(100000), size: 1024, qos: 0 },
    { name: '64B-qos1', count: scale(20000), size: 64, qos: 1 }
  ]
  // `--scenario NAME`: one receive scenario only (e.g. 64B-qos0).
  const only = args.includes('--scenario') ? args[args.indexOf('--scenario') + 1] : null
  for (const scenario of wanted('receive') ? scenarios.filter((s) => only === null || s.name === only) : []) {
    const clients = await rounds(KINDS, (kind) => receiveRun(cdp, site, broker, kind, scenario))
    results.receive.push({ ...scenario, clients })
  }
  if (wanted('client')) results.clientOnly = await rounds(CLIENT_KINDS, (kind) => fakeRun(cdp, site, kind, scale(100000)))
  const render = { name: '64B-qos0', count: scale(100000), size: 64, qos: 0 }
  if (wanted('render')) results.render = await rounds(['ours', 'naive'], (kind) => receiveRun(cdp, site, broker, kind, render))
  if (!SKIP_SCALE && wanted('scale')) results.scale = await scaleRun(cdp, site, broker, QUICK ? 100000 : 1000000)
} finally {
  await cdp.close()
  site.stop()
  broker.stop()
}
writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n')

// ------------------------------------------------------------------ table

const fmt = (n) => n === undefined || n === null || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US')
// A median rate with its range over the rounds, e.g. "25,833 (23,424–27,010)".
const fmtRate = (client) => client.rates?.length > 1
  ? `${fmt(client.rate)} (${fmt(Math.min(...client.rates))}–${fmt(Math.max(...client.rates))})`
  : fmt(client.rate)
const lines = []
lines.push(`Benchmark ${results.date.slice(0, 10)} · ${results.machine.cores} cores ${results.machine.cpu} · ${results.machine.browser}${QUICK ? ' · QUICK' : ''} · median of ${ROUNDS} run(s) per page (range)`)
lines.push('')
lines.push('| receive (broker → page) | raw WebSocket msgs/s | raw page after one localStorage read | mqtt.js msgs/s | ours msgs/s | ours / raw | ours / raw after storage read | ours / mqtt.js | lost (raw / mqtt.js / ours) |')
lines.push('|---|---|---|---|---|---|---|---|---|')
const byKind = (row, kind) => row.clients.find((c) => c.client === kind)
for (const row of results.receive) {
  const [raw, control, js, ours] = ['raw', CONTROL, 'mqttjs', 'ours'].map((kind) => byKind(row, kind))
  if (!raw || !js || !ours) continue // `--kinds` left a page out
  const vsControl = control ? (ours.rate / control.rate).toFixed(2) : '—'
  lines.push(`| ${fmt(row.count)} × ${row.size} B QoS ${row.qos} | ${fmtRate(raw)} | ${control ? fmtRate(control) : '—'} | ${fmtRate(js)} | ${fmtRate(ours)} | ${(ours.rate / raw.rate).toFixed(2)} | ${vsControl} | ${(ours.rate / js.rate).toFixed(2)} | ${raw.lost} / ${js.lost} / ${ours.lost} |`)
}
const [fr, fj, fo] = results.clientOnly
if (fo) lines.push(`| client only (fake socket), ${fmt(fo.messages)} × 64 B | ${fmtRate(fr)} | — | ${fmtRate(fj)} | ${fmtRate(fo)} | ${(fo.rate / fr.rate).toFixed(2)} | — | ${(fo.rate / fj.rate).toFixed(2)} | |`)
// Where the CPU went (on 2 cores the rate follows the total): µs per
// message of each page's median run, by process.
if (results.receive.length) {
  lines.push('')
  lines.push('| CPU µs per message (median run) | renderer | network process | broker | publisher | total |')
  lines.push('|---|---|---|---|---|---|')
  for (const row of results.receive) {
    for (const c of row.clients) {
      const cpu = c.cpuMicrosPerMessage ?? {}
      const total = Object.entries(cpu).filter(([role]) => !role.includes('/')).reduce((sum, [, v]) => sum + v, 0)
      lines.push(`| ${row.name} ${c.client} | ${cpu.renderer ?? 0} | ${cpu.network ?? 0} | ${cpu.broker ?? 0} | ${cpu.publisher ?? 0} | ${total.toFixed(1)} |`)
    }
  }
}
lines.push('')
const [ro, rn] = results.render
if (ro) {
  lines.push('| receive + render, 64 B QoS 0 | msgs/s | JS heap after | wasm memory |')
  lines.push('|---|---|---|---|')
  lines.push(`| ours (full app, virtualized list) | ${fmtRate(ro)} | ${ro.jsHeapMB} MB | ${ro.wasmMB} MB |`)
  lines.push(`| naive mqtt.js page (one DOM row per message) | ${fmtRate(rn)} | ${rn.jsHeapMB} MB | — |`)
  lines.push(`| ratio | ${(ro.rate / rn.rate).toFixed(1)}× | | |`)
}
if (results.scale) {
  const s = results.scale
  lines.push('')
  lines.push(`| scale (ours, ${fmt(s.messages)} × 64 B) | value |`)
  lines.push('|---|---|')
  lines.push(`| JS heap + wasm memory | ${s.jsHeapMB} + ${s.wasmMB} = ${s.totalMB} MB |`)
  lines.push(`| text filter, no match (store pass / until painted) | ${s.filterMiss.ms?.toFixed(0)} ms / ${s.filterMiss.shownAfterMs.toFixed(0)} ms |`)
  lines.push(`| text filter, ${fmt(s.filterHit.matches)} matches (store pass / until painted) | ${s.filterHit.ms?.toFixed(0)} ms / ${s.filterHit.shownAfterMs.toFixed(0)} ms |`)
  lines.push(`| regex filter (JS RegExp per payload), ${fmt(s.filterRegex.matches)} matches (pass over frames / until painted) | ${s.filterRegex.ms?.toFixed(0)} ms / ${s.filterRegex.shownAfterMs.toFixed(0)} ms |`)
  lines.push(`| longest frame at 5,000 msgs/s for ${s.steady.seconds} s (log full) | ${s.steady.longestFrameMs} ms (${s.steady.framesOver50ms} of ${s.steady.frames} frames over 50 ms; longest task ${fmt(s.steady.longestTaskMs)} ms) |`)
}
console.log(lines.join('\n'))
console.error(`[bench] wrote ${OUT}`)
