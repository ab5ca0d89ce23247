// Local development/test broker: aedes (an existing, maintained MQTT broker)
// with a WebSocket listener on ws://HOST:WS_PORT/mqtt (subprotocol `mqtt`)
// and a plain TCP listener for outside clients.
//
// Why the custom WebSocket wiring: aedes' documented setup
// (`createWebSocketStream`) writes each MQTT packet as several WebSocket
// frames. mosquitto and AWS IoT send one packet per frame, and browsers are
// 3–5x slower receiving split packets, so we re-frame the broker's output
// stream at packet boundaries. (The client still treats frames as a byte
// stream; tests that need split frames use `--split-frames`.)
//
// Usage: node dev-broker/broker.mjs [--host 127.0.0.1] [--ws-port 9001]
//        [--tcp-port 1883] [--split-frames]
// Prints one JSON line `{"ready":true,...}` on stdout once listening.

import { Aedes } from 'aedes'
import { createServer } from 'node:net'
import { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'

function option (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const host = option('host', '127.0.0.1')
const wsPort = Number(option('ws-port', '9001'))
const tcpPort = Number(option('tcp-port', '1883'))
const splitFrames = process.argv.includes('--split-frames')

/** Length of the first complete MQTT packet in `buf`, or 0 if incomplete. */
export function completePacketLength (buf) {
  let multiplier = 1
  let remaining = 0
  for (let i = 1; i <= 4; i++) {
    if (i >= buf.length) return 0
    const byte = buf[i]
    remaining += (byte & 0x7f) * multiplier
    multiplier *= 128
    if ((byte & 0x80) === 0) {
      const total = 1 + i + remaining
      return buf.length >= total ? total : 0
    }
  }
  return buf.length // malformed length: flush what we have
}

/** A duplex stream over one WebSocket that sends one MQTT packet per frame. */
function packetFramedStream (socket) {
  let pending = Buffer.alloc(0)
  const stream = new Duplex({
    read () {},
    write (chunk, _encoding, callback) {
      if (splitFrames) {
        socket.send(chunk, { binary: true }, callback)
        return
      }
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
      let length
      while ((length = completePacketLength(pending)) > 0) {
        socket.send(pending.subarray(0, length), { binary: true })
        pending = pending.subarray(length)
      }
      callback()
    },
    final (callback) {
      socket.close()
      callback()
    },
    destroy (error, callback) {
      socket.terminate()
      callback(error)
    }
  })
  socket.on('message', (data) => stream.push(data))
  socket.on('close', () => stream.push(null))
  socket.on('error', (error) => stream.destroy(error))
  return stream
}

const broker = await Aedes.createBroker()

const wss = new WebSocketServer({
  host,
  port: wsPort,
  path: '/mqtt',
  handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false)
})
wss.on('connection', (socket) => broker.handle(packetFramedStream(socket)))

const tcp = createServer(broker.handle)
await Promise.all([
  new Promise((resolve) => wss.on('listening', resolve)),
  new Promise((resolve) => tcp.listen(tcpPort, host, resolve))
])
console.log(JSON.stringify({ ready: true, ws: `ws://${host}:${wsPort}/mqtt`, tcp: `mqtt://${host}:${tcpPort}` }))

function shutdown () {
  wss.close()
  tcp.close()
  broker.close(() => process.exit(0))
  setTimeout(() => process.exit(0), 500).unref()
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
