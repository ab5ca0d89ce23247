// Outside publisher for the browser benchmark: raw MQTT over TCP to the
// broker, PUBLISH packets encoded by hand and written in large batches, so
// the publisher is never the bottleneck. Prints one JSON line when done.
//
//   node publisher.mjs --port 1883 --topic bench/x --count 100000 --size 64
//                      [--qos 0|1] [--rate msgs_per_s (0 = as fast as possible)]

import { connect } from 'node:net'

function option (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const port = Number(option('port', '1883'))
const topic = option('topic', 'bench/x')
const count = Number(option('count', '1000'))
const size = Number(option('size', '64'))
const qos = Number(option('qos', '0'))
const rate = Number(option('rate', '0'))

function remainingLength (n) {
  const bytes = []
  do {
    let byte = n % 128
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    bytes.push(byte)
  } while (n > 0)
  return Buffer.from(bytes)
}

const topicBytes = Buffer.from(topic)
/** Filler text: words of varying letters (a run of one letter would make
 * any text search that contains it artificially slow or fast). */
const WORDS = 'status ok device sensor reading value unit celsius humidity pressure battery level signal quality firmware version uptime seconds alarm threshold'.split(' ')
function filler (i, length) {
  let text = ''
  for (let k = 0; text.length < length; k++) text += WORDS[(i * 7 + k * 13) % WORDS.length] + ' '
  return text.slice(0, length)
}

/** Payload: JSON with the sequence number, padded to `size` bytes. */
function payload (i) {
  const head = `{"i":${i},"currentTemp":${20 + (i % 10)},"note":"`
  const tail = '"}'
  const padding = Math.max(0, size - head.length - tail.length)
  return Buffer.from(head + filler(i, padding) + tail).subarray(0, Math.max(size, head.length + tail.length))
}

function publishPacket (i) {
  const body = payload(i)
  const idLength = qos > 0 ? 2 : 0
  const length = 2 + topicBytes.length + idLength + body.length
  const header = Buffer.concat([Buffer.from([0x30 | (qos << 1)]), remainingLength(length)])
  const parts = [header, Buffer.from([topicBytes.length >> 8, topicBytes.length & 255]), topicBytes]
  if (qos > 0) {
    const id = (i % 65535) + 1
    parts.push(Buffer.from([id >> 8, id & 255]))
  }
  parts.push(body)
  return Buffer.concat(parts)
}

function connectPacket () {
  const clientId = Buffer.from(`bench-pub-${process.pid}-${Date.now()}`)
  const variable = Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 60])
  const body = Buffer.concat([variable, Buffer.from([clientId.length >> 8, clientId.length & 255]), clientId])
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body])
}

const socket = connect(port, '127.0.0.1')
socket.setNoDelay(true)
let acked = 0
let pending = Buffer.alloc(0)
const connected = new Promise((resolve) => {
  socket.on('data', (data) => {
    pending = Buffer.concat([pending, data])
    while (pending.length >= 2) {
      const type = pending[0] >> 4
      const len = pending[1]
      if (pending.length < 2 + len) break
      if (type === 2) resolve()
      if (type === 4) acked++
      pending = pending.subarray(2 + len)
    }
  })
})
socket.write(connectPacket())
await connected

const started = performance.now()
const write = (buffer) => new Promise((resolve) => {
  if (socket.write(buffer)) resolve()
  else socket.once('drain', resolve)
})
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

if (rate > 0) {
  // Steady rate: a batch every 10 ms, catching up on the schedule.
  let sent = 0
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1)
    if (due > sent) {
      const batch = []
      for (; sent < due; sent++) batch.push(publishPacket(sent))
      await write(Buffer.concat(batch))
    }
    await sleep(10)
  }
} else {
  const BATCH = 500
  for (let i = 0; i < count; i += BATCH) {
    const batch = []
    for (let k = i; k < Math.min(count, i + BATCH); k++) batch.push(publishPacket(k))
    await write(Buffer.concat(batch))
  }
}
const sentMs = performance.now() - started
if (qos > 0) {
  const deadline = performance.now() + 30000
  while (acked < count && performance.now() < deadline) await sleep(20)
}
socket.end(Buffer.from([0xe0, 0]))
console.log(JSON.stringify({ sent: count, sentMs, acked }))
