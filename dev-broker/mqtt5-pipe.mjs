// WebSocket-to-TCP pipe in front of mosquitto, the tests' MQTT 5 broker.
//
// Why: Debian's mosquitto 2.0.11 speaks MQTT 5 but is built without
// WebSocket support, and Debian's websockify refuses the `mqtt`
// subprotocol browsers offer (`400 Invalid protocol selected`). This is the
// pipe ../shared/TOOLCHAIN.md describes: npm `ws`, subprotocol `mqtt`, one
// TCP connection to the broker per WebSocket, bytes piped both ways, each
// side closing the other.
//
// Broker -> browser bytes are re-framed so that each WebSocket frame holds
// whole MQTT packets (what mosquitto's own WebSocket listener and AWS IoT
// send); `--raw-chunks` passes TCP chunks through as they come instead
// (frames then split and join packets at random: the client copes either way).
//
// Usage: node dev-broker/mqtt5-pipe.mjs [--host 127.0.0.1] [--ws-port 19831]
//        [--tcp-host 127.0.0.1] [--tcp-port 18831] [--raw-chunks]
// Prints one JSON line `{"ready":true,...}` on stdout once listening.

import { connect } from 'node:net'
import { WebSocketServer } from 'ws'

function option (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const host = option('host', '127.0.0.1')
const wsPort = Number(option('ws-port', '19831'))
const tcpHost = option('tcp-host', '127.0.0.1')
const tcpPort = Number(option('tcp-port', '18831'))
const rawChunks = process.argv.includes('--raw-chunks')

/** Bytes of the whole MQTT packets at the start of `buf` (0 if none is complete). */
function wholePacketsLength (buf) {
  let at = 0
  for (;;) {
    let remaining = 0
    let multiplier = 1
    let i = 1
    for (; i <= 4; i++) {
      if (at + i >= buf.length) return at
      const byte = buf[at + i]
      remaining += (byte & 0x7f) * multiplier
      multiplier *= 128
      if ((byte & 0x80) === 0) break
    }
    // A malformed length (5+ bytes): pass everything on, the client reports it.
    if (i > 4) return buf.length
    const total = 1 + i + remaining
    if (at + total > buf.length) return at
    at += total
  }
}

const wss = new WebSocketServer({
  host,
  port: wsPort,
  handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false)
})

wss.on('connection', (ws) => {
  const tcp = connect({ host: tcpHost, port: tcpPort, noDelay: true })
  const early = []
  let pending = Buffer.alloc(0)
  tcp.on('connect', () => {
    for (const data of early) tcp.write(data)
    early.length = 0
  })
  ws.on('message', (data) => {
    if (tcp.connecting) early.push(data)
    else tcp.write(data)
  })
  tcp.on('data', (chunk) => {
    if (rawChunks) {
      ws.send(chunk)
      return
    }
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
    const n = wholePacketsLength(pending)
    if (n > 0) {
      ws.send(pending.subarray(0, n))
      pending = pending.subarray(n)
    }
  })
  tcp.on('close', () => ws.close())
  tcp.on('error', () => ws.terminate())
  ws.on('close', () => tcp.destroy())
  ws.on('error', () => tcp.destroy())
})

wss.on('listening', () => {
  console.log(JSON.stringify({
    ready: true,
    ws: `ws://${host}:${wsPort}/mqtt`,
    tcp: `mqtt://${tcpHost}:${tcpPort}`
  }))
})

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const ws of wss.clients) ws.terminate()
    wss.close(() => process.exit(0))
  })
}
