// AWS IoT Core end to end, without AWS: the built page in headless Chromium
// connects through tests/fixtures/aws_gateway.py, a SigV4 / custom-authorizer
// checking WebSocket gateway (signatures recomputed independently with
// botocore) in front of the real aedes broker. Cognito is moto's
// cognito-identity in server mode. mqtt.js is the outside client.
//
// Needs the Python venv scripts/setup.sh --test creates
// (~/.cache/mqtt-console/venv-aws: botocore, websockets, moto, flask-cors).

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { launchBrowser, openApp, outsideClient, ROOT, serveDist, startBroker, subscribePage } from './harness.mjs'

const VENV = process.env.MQTT_CONSOLE_VENV ?? join(homedir(), '.cache', 'mqtt-console', 'venv-aws')
const PYTHON = join(VENV, 'bin', 'python')
const REGION = 'us-east-1'

// Temporary credentials whose secret and token contain / + = (the token
// must arrive appended after the signature, RFC 3986-encoded).
const KEYS = {
  accessKeyId: 'ASIAE2ETESTEXAMPLE01',
  secret: 'e2e/Secret+Key=Example0123456789abcdefgh',
  token: 'FwoGZXIvYXdzE/e2e+token==/x'
}
const AUTHORIZER = { name: 'e2e-authorizer', tokenKey: 'tokenKey', token: 'allow-me please' }

let broker, site, browser, gateway, moto, workDir, rsa

function freePort () {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Spawns a process, resolves when `ready(line)` is true for a stdout line. */
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
        if (ready(line)) resolve({ child, lines, stderr: () => stderr })
      }
    })
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)))
  })
}

function stop (child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve()
    child.on('exit', resolve)
    child.kill('SIGTERM')
  })
}

/** The gateway's config: who it lets in (re-read for every connection). */
function writeGatewayConfig (extraKeys = {}) {
  writeFileSync(gateway.config, JSON.stringify({
    keys: {
      [KEYS.accessKeyId]: { secret: KEYS.secret, token: KEYS.token },
      ...extraKeys
    },
    authorizers: {
      [AUTHORIZER.name]: {
        token_key: AUTHORIZER.tokenKey,
        tokens: [AUTHORIZER.token],
        public_key_pem: rsa.publicKey
      }
    }
  }))
}

async function cognito (target, body) {
  const response = await fetch(moto.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityService.${target}` },
    body: JSON.stringify(body)
  })
  assert.equal(response.status, 200, `${target}: ${await response.clone().text()}`)
  return response.json()
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'mqtt-console-aws-'))
  rsa = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' }
  })
  broker = await startBroker({ wsPort: 19171, tcpPort: 11971 })
  gateway = { config: join(workDir, 'gateway.json') }
  writeGatewayConfig()
  const started = await spawnReady(PYTHON, [
    join(ROOT, 'tests', 'fixtures', 'aws_gateway.py'),
    '--port', '0', '--broker', broker.wsUrl, '--config', gateway.config
  ], (line) => line.includes('"ready"'), 'aws_gateway.py')
  Object.assign(gateway, started, { port: JSON.parse(started.lines.at(-1)).ready })
  gateway.endpoint = `ws://127.0.0.1:${gateway.port}/mqtt`

  const motoPort = await freePort()
  const motoProcess = spawn(PYTHON, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(motoPort)], { stdio: 'ignore' })
  moto = { child: motoProcess, url: `http://127.0.0.1:${motoPort}/` }
  for (let i = 0; ; i++) {
    try {
      await fetch(moto.url)
      break
    } catch (error) {
      if (i > 100) throw new Error(`moto did not start: ${error}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  site = await serveDist()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await site?.stop()
  await stop(gateway?.child)
  await stop(moto?.child)
  await broker?.stop()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

/** Gateway decisions logged since `from` (an index into its stdout lines). */
function decisions (from) {
  return gateway.lines.slice(from).filter((line) => line.includes('"decision"')).map((line) => JSON.parse(line))
}

async function waitForDecision (from, predicate, what) {
  for (let i = 0; i < 100; i++) {
    const found = decisions(from).find(predicate)
    if (found) return found
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the gateway never logged ${what}; it logged ${JSON.stringify(decisions(from))}`)
}

async function openAws (kind, { initScript } = {}) {
  const context = await browser.newContext()
  if (initScript) await context.addInitScript(initScript)
  const { page, problems } = await openApp(context, site.url)
  await page.getByTestId('auth-kind').selectOption(kind)
  await page.getByTestId('aws-endpoint').fill(gateway.endpoint)
  await page.getByTestId('aws-region').fill(REGION)
  return { context, page, problems }
}

async function fillKeys (page, { accessKeyId = KEYS.accessKeyId, secret = KEYS.secret, token = KEYS.token } = {}) {
  await page.getByTestId('aws-access-key-id').fill(accessKeyId)
  await page.getByTestId('aws-secret-access-key').fill(secret)
  await page.getByTestId('aws-session-token').fill(token)
}

async function connected (page) {
  await page.locator('[data-testid=connection-status][data-status=connected]').waitFor({ timeout: 15000 })
}

/** The explanation's causes, in order, once it is shown. */
async function diagnosis (page) {
  await page.locator('[data-testid=aws-diagnosis] li').first().waitFor({ timeout: 15000 })
  const causes = await page.locator('[data-testid=aws-diagnosis] li').evaluateAll(
    (items) => items.map((item) => ({ kind: item.dataset.cause, text: item.textContent })))
  const summary = await page.getByTestId('aws-diagnosis-summary').textContent()
  return { summary, causes, kinds: causes.map((cause) => cause.kind) }
}

async function disconnect (page, context) {
  if (await page.getByTestId('disconnect').isEnabled()) await page.getByTestId('disconnect').click()
  await page.locator('[data-testid=connection-status][data-status=disconnected]').waitFor()
  await context.close()
}

/** Page ↔ outside client, both ways, through the gateway. */
async function roundTrip (page, topic) {
  await subscribePage(page, `${topic}/in`, 1)
  const outside = await outsideClient(broker.tcpUrl)
  try {
    outside.publish(`${topic}/in`, '{"from": "outside"}', { qos: 1 })
    const row = page.locator(`[data-testid=message][data-topic="${topic}/in"]`)
    await row.first().waitFor({ timeout: 10000 })
    await new Promise((resolve, reject) => outside.subscribe(`${topic}/out`, (error) => error ? reject(error) : resolve()))
    const received = new Promise((resolve) => outside.once('message', (t, payload) => resolve({ t, payload: String(payload) })))
    await page.getByTestId('publish-topic').fill(`${topic}/out`)
    await page.getByTestId('publish-payload').fill('{"from": "page"}')
    await page.getByTestId('publish').click()
    assert.deepEqual(await received, { t: `${topic}/out`, payload: '{"from": "page"}' })
  } finally {
    outside.end(true)
  }
}

test('access keys with a session token: connects through the SigV4 gateway and round-trips', async () => {
  const { page, context, problems } = await openAws('awsKeys')
  // AWS limits: QoS 2 is not offered on AWS profiles.
  assert.deepEqual(await page.locator('[data-testid=publish-qos] option').evaluateAll((o) => o.map((x) => x.value)), ['0', '1'])
  assert.deepEqual(await page.locator('[data-testid=subscribe-qos] option').evaluateAll((o) => o.map((x) => x.value)), ['0', '1'])
  assert.equal(await page.getByTestId('broker-url').count(), 0, 'no broker URL field in AWS mode')
  await fillKeys(page)
  const from = gateway.lines.length
  await page.getByTestId('connect').click()
  await connected(page)
  const accepted = await waitForDecision(from, (d) => d.stage === 'upgrade', 'an upgrade decision')
  assert.equal(accepted.decision, 'accept', JSON.stringify(accepted))
  assert.match(accepted.reason, /^sigv4 ASIA… us-east-1$/)
  assert.equal(accepted.expires, null, 'no X-Amz-Expires by default, as the AWS SDKs sign (checked with aws-crt)')
  await roundTrip(page, 'aws/keys')

  // Secrets stay out of the DOM (password inputs hold them as properties,
  // not attributes) and out of the timeline.
  const html = await page.content()
  for (const secret of [KEYS.secret, KEYS.token, encodeURIComponent(KEYS.token), 'X-Amz-Signature']) {
    assert.ok(!html.includes(secret), `page HTML must not contain ${secret}`)
  }

  // ...and out of storage, the URL, the share link and every exported file
  // ("remember secrets" is off by default).
  const secrets = [KEYS.secret, KEYS.token, encodeURIComponent(KEYS.token), encodeURIComponent(KEYS.secret)]
  const places = {
    storage: await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })),
    url: page.url()
  }
  await page.getByTestId('share-link').click()
  places.shareLink = await page.getByTestId('share-link-output').inputValue()
  places.shareLinkDecoded = Buffer.from(places.shareLink.split('#share=')[1], 'base64url').toString()
  for (const [name, button] of [['workspace', 'workspace-export'], ['ndjson', 'export-ndjson'], ['csv', 'export-csv']]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()])
    places[name] = readFileSync(await download.path(), 'utf8')
  }
  assert.ok(places.ndjson.includes('aws/keys/in'), 'the log export has the received message')
  for (const [name, text] of Object.entries(places)) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${name} must not contain a secret`)
  }
  await disconnect(page, context)
  assert.deepEqual(problems.filter((p) => p.startsWith('pageerror') || p.includes('panicked')), [])
})

test('a wrong secret is refused at the upgrade and explained', async () => {
  const { page, context } = await openAws('awsKeys')
  await fillKeys(page, { secret: 'wrong/Secret+Key=Example0123456789abcdef' })
  const from = gateway.lines.length
  await page.getByTestId('connect').click()
  const refused = await waitForDecision(from, (d) => d.stage === 'upgrade', 'a refusal')
  assert.deepEqual([refused.decision, refused.reason], ['refuse', 'signature mismatch'])
  const { summary, causes, kinds } = await diagnosis(page)
  assert.match(summary, /refused the WebSocket connection/)
  // The page's clock agrees with the web server's, so clock skew is last.
  assert.deepEqual(kinds, ['region-endpoint', 'credentials', 'policy', 'clock-skew'])
  assert.match(causes[1].text, /access key ASIA…LE01 or its secret is mistyped/)
  assert.match(causes[3].text, /Clock skew is unlikely/)
  assert.ok(!causes.some((c) => c.text.includes('wrong/Secret')), 'no secret in the explanation')
  await disconnect(page, context)
})

test('a URL expiry set on the profile is signed in (checked with botocore); one out of SigV4\'s range is refused inline', async () => {
  const { page, context } = await openAws('awsKeys')
  await fillKeys(page)
  await page.getByTestId('aws-presign-expires').fill('0')
  await page.getByTestId('connect').click()
  await page.getByText('X-Amz-Expires must be from 1 to 604800 seconds (7 days), not 0').waitFor()
  await page.getByTestId('aws-presign-expires').fill('3600')
  const from = gateway.lines.length
  await page.getByTestId('connect').click()
  await connected(page)
  const accepted = await waitForDecision(from, (d) => d.stage === 'upgrade', 'an upgrade decision')
  assert.deepEqual([accepted.decision, accepted.expires], ['accept', '3600'])
  await disconnect(page, context)
})

test('a session token signed into the URL is refused and named as the cause', async () => {
  const { page, context } = await openAws('awsKeys')
  await fillKeys(page)
  await page.locator('details:has([data-testid=aws-sign-token]) summary').click()
  await page.getByTestId('aws-sign-token').check()
  const from = gateway.lines.length
  await page.getByTestId('connect').click()
  const refused = await waitForDecision(from, (d) => d.stage === 'upgrade', 'a refusal')
  assert.deepEqual([refused.decision, refused.reason], ['refuse', 'session token signed into the URL'])
  const { kinds, causes } = await diagnosis(page)
  assert.equal(kinds[0], 'token-signed')
  assert.match(causes[0].text, /AWS IoT Core refuses such URLs/)
  await disconnect(page, context)
})

test('a clock 20 minutes fast is refused and explained with both times', async () => {
  const { page, context } = await openAws('awsKeys', {
    initScript: () => {
      const realNow = Date.now
      Date.now = () => realNow() + 20 * 60 * 1000
    }
  })
  await fillKeys(page)
  const from = gateway.lines.length
  await page.getByTestId('connect').click()
  const refused = await waitForDecision(from, (d) => d.stage === 'upgrade', 'a refusal')
  assert.equal(refused.decision, 'refuse')
  assert.match(refused.reason, /^clock skew: signed 1\d\d\d s in the future$/)
  const { kinds, causes } = await diagnosis(page)
  assert.equal(kinds[0], 'clock-skew')
  assert.match(causes[0].text, /this browser's clock is (20 min( \d+ s)?|19 min 5\d s) ahead of the web server's/)
  assert.match(causes[0].text, /browser \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, server \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
  assert.match(causes[0].text, /X-Amz-Date \d{8}T\d{6}Z/)
  assert.match(causes[0].text, /this alone explains the refusal/)
  const timeline = await page.getByTestId('timeline').textContent()
  assert.match(timeline, /AWS IoT: most likely cause: Clock skew/)
  await disconnect(page, context)
})

test('Cognito identity pool (moto): credentials fetched, signed connection, refreshed before a reconnect', async () => {
  const pool = await cognito('CreateIdentityPool', { IdentityPoolName: 'e2e', AllowUnauthenticatedIdentities: true })
  // The gateway must know the secret of the keys Cognito hands out, as AWS
  // IoT does: ask moto, the issuer, for them (moto issues fixed keys).
  const { IdentityId } = await cognito('GetId', { IdentityPoolId: pool.IdentityPoolId })
  const { Credentials } = await cognito('GetCredentialsForIdentity', { IdentityId })
  writeGatewayConfig({ [Credentials.AccessKeyId]: { secret: Credentials.SecretKey, token: Credentials.SessionToken } })

  const { page, context } = await openAws('awsCognito', {
    initScript: () => {
      const realNow = Date.now
      window.__clockOffsetMs = 0
      Date.now = () => realNow() + window.__clockOffsetMs
    }
  })
  await page.getByTestId('aws-identity-pool-id').fill(pool.IdentityPoolId)
  await page.locator('details:has([data-testid=aws-cognito-endpoint]) summary').click()
  await page.getByTestId('aws-cognito-endpoint').fill(moto.url)
  await page.getByTestId('client-id').fill('cognito-e2e')
  const from = gateway.lines.length
  await page.getByTestId('connect').click()
  await connected(page)
  const accepted = await waitForDecision(from, (d) => d.stage === 'upgrade', 'an upgrade decision')
  assert.equal(accepted.decision, 'accept', JSON.stringify(accepted))
  assert.match(await page.getByTestId('aws-cognito-status').textContent(),
    /Cognito identity us-east-1:[0-9a-f-]+: temporary key TEST…2345, valid until .* UTC \(fetched 1×\)/)
  await roundTrip(page, 'aws/cognito')

  // moto's credentials last 90 s. Move the page's clock 3 minutes on: they
  // are expired now. Kick the connection (same client id from outside): the
  // reconnect must not sign with expired keys but fetch new ones first.
  await page.evaluate(() => { window.__clockOffsetMs = 3 * 60 * 1000 })
  const kicker = await outsideClient(broker.tcpUrl, { clientId: 'cognito-e2e' })
  await page.locator('[data-testid=timeline]', { hasText: 'the Cognito credentials expired at' }).waitFor({ timeout: 15000 })
  await page.locator('[data-testid=aws-cognito-status]', { hasText: /fetched [2-9]×/ }).waitFor({ timeout: 15000 })
  kicker.end(true)
  // Back to the real time: the freshly fetched credentials connect.
  await page.evaluate(() => { window.__clockOffsetMs = 0 })
  await connected(page)
  await disconnect(page, context)
})

test('custom authorizer, token and signature in the URL: connects; a wrong token is refused and explained', async () => {
  const signature = sign('sha256', Buffer.from(AUTHORIZER.token), rsa.privateKey).toString('base64')
  const { page, context } = await openAws('awsCustomAuthorizer')
  await page.getByTestId('aws-authorizer-name').fill(AUTHORIZER.name)
  await page.getByTestId('aws-token-key-name').fill(AUTHORIZER.tokenKey)
  await page.getByTestId('aws-authorizer-token').fill(AUTHORIZER.token)
  await page.getByTestId('aws-token-signature').fill(signature)
  let from = gateway.lines.length
  await page.getByTestId('connect').click()
  await connected(page)
  const accepted = await waitForDecision(from, (d) => d.stage === 'upgrade', 'an upgrade decision')
  assert.deepEqual([accepted.decision, accepted.reason], ['accept', `authorizer ${AUTHORIZER.name}`])
  await roundTrip(page, 'aws/authorizer')
  await page.getByTestId('disconnect').click()
  await page.locator('[data-testid=connection-status][data-status=disconnected]').waitFor()

  await page.getByTestId('aws-authorizer-token').fill('not the token')
  from = gateway.lines.length
  await page.getByTestId('connect').click()
  const refused = await waitForDecision(from, (d) => d.stage === 'upgrade', 'a refusal')
  assert.deepEqual([refused.decision, refused.reason], ['refuse', 'token signature invalid'])
  const { kinds } = await diagnosis(page)
  assert.deepEqual(kinds, ['authorizer', 'authorizer-token', 'policy'])
  await disconnect(page, context)
})

test('custom authorizer, token in the MQTT username: checked at CONNECT', async () => {
  const { page, context } = await openAws('awsCustomAuthorizer')
  await page.getByTestId('aws-authorizer-form').selectOption('username')
  await page.getByTestId('aws-authorizer-name').fill(AUTHORIZER.name)
  await page.getByTestId('aws-token-key-name').fill(AUTHORIZER.tokenKey)
  await page.getByTestId('aws-authorizer-token').fill(AUTHORIZER.token)
  await page.getByTestId('aws-token-signature').fill(sign('sha256', Buffer.from(AUTHORIZER.token), rsa.privateKey).toString('base64'))
  await page.getByTestId('aws-authorizer-username').fill('device-7')
  let from = gateway.lines.length
  await page.getByTestId('connect').click()
  await connected(page)
  const accepted = await waitForDecision(from, (d) => d.stage === 'connect', 'a CONNECT decision')
  assert.deepEqual([accepted.decision, accepted.reason], ['accept', `authorizer ${AUTHORIZER.name}`])
  await roundTrip(page, 'aws/username')
  await page.getByTestId('disconnect').click()
  await page.locator('[data-testid=connection-status][data-status=disconnected]').waitFor()

  // Without the signature the authorizer (which signs tokens) refuses:
  // CONNACK 5, explained with the authorizer's causes.
  await page.getByTestId('aws-token-signature').fill('')
  from = gateway.lines.length
  await page.getByTestId('connect').click()
  const refused = await waitForDecision(from, (d) => d.stage === 'connect', 'a CONNECT refusal')
  assert.deepEqual([refused.decision, refused.reason], ['refuse', 'token signature missing'])
  const { summary, kinds, causes } = await diagnosis(page)
  assert.match(summary, /CONNACK return code 5/)
  assert.deepEqual(kinds, ['policy', 'authorizer-token', 'authorizer', 'client-id-in-use'])
  assert.match(causes[1].text, /no token signature was sent/)
  // CONNACK 5 is final: the session gives up (no reconnect loop).
  await context.close()
})
