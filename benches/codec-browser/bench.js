// Page side of the in-browser codec benchmark (run.mjs injects it into the
// real release page, next to the mqtt-packet bundle; the page's CSP allows
// scripts from 'self'). Defines `window.codecBench`:
//
//   codecBench.setup({ count, payloadSize, topic })  builds the stream once
//   codecBench.check()                                every decoder, checked
//   codecBench.run(decoder, scenario, times = 1)      one timed run
//
// Decoders: 'ours' (the app's wasm codec, through `window.wasmBindings`),
// 'oursInWasm' (the same, per-packet loop inside wasm), 'mqttPacket'
// (mqtt-packet's parser, used as mqtt.js uses it) and 'handJs' (the
// minimal hand-written decoder below). Scenarios: 'buffer' (the whole stream
// handed over at once) and 'messages' (one call per packet, as when a broker
// sends every packet in its own WebSocket frame).
//
// Every decoder sees the same bytes, produces every PUBLISH (topic string,
// payload view, QoS, packet id) and folds topic and payload lengths into a
// checksum, so no decoder can skip work.
'use strict'
;(() => {
  const MAX_PACKET_SIZE = 1 << 20 // the app's default limit

  /** The stream: `count` PUBLISH packets, QoS 0 and 1 alternating. */
  function buildStream ({ count, payloadSize, topic }) {
    const topicBytes = new TextEncoder().encode(topic)
    const sizes = []
    let total = 0
    for (let i = 0; i < count; i++) {
      const remaining = 2 + topicBytes.length + (i % 2 ? 2 : 0) + payloadSize
      if (remaining > 127) throw new Error('benchmark packets must fit a 1-byte Remaining Length')
      sizes.push(2 + remaining)
      total += 2 + remaining
    }
    const bytes = new Uint8Array(total)
    const ends = new Uint32Array(count)
    let pos = 0
    for (let i = 0; i < count; i++) {
      const qos = i % 2
      bytes[pos++] = 0x30 | (qos << 1)
      bytes[pos++] = sizes[i] - 2
      bytes[pos++] = topicBytes.length >> 8
      bytes[pos++] = topicBytes.length & 0xff
      bytes.set(topicBytes, pos)
      pos += topicBytes.length
      if (qos) {
        const id = 1 + (i % 65535)
        bytes[pos++] = id >> 8
        bytes[pos++] = id & 0xff
      }
      bytes.fill(i % 251, pos, pos + payloadSize)
      pos += payloadSize
      ends[i] = pos
    }
    return { bytes, ends }
  }

  // ------------------------------------------------ hand-written decoder

  // A minimal MQTT 3.1.1 stream decoder in plain JavaScript, as one would
  // write it by hand for PUBLISH-heavy traffic: fixed header, Remaining
  // Length, topic (UTF-8 checked by a fatal TextDecoder), packet id, payload
  // as a view. It checks far less than our codec (no flags, wildcard or
  // U+0000 rules, no size limit) and only understands PUBLISH.
  const utf8 = new TextDecoder('utf-8', { fatal: true })

  /** Decodes the packets in `buf[0..]`; returns the bytes consumed. */
  function handDecode (buf, onPacket) {
    const n = buf.length
    let pos = 0
    while (pos + 2 <= n) {
      const first = buf[pos]
      let i = pos + 1
      let len = 0
      let shift = 0
      let byte
      do {
        if (i >= n) return pos
        if (shift > 21) throw new Error('Remaining Length over 4 bytes')
        byte = buf[i++]
        len |= (byte & 0x7f) << shift
        shift += 7
      } while (byte & 0x80)
      const end = i + len
      if (end > n) return pos
      if (first >> 4 === 3) {
        const qos = (first >> 1) & 3
        const topicEnd = i + 2 + ((buf[i] << 8) | buf[i + 1])
        if (topicEnd > end) throw new Error('topic crosses the packet boundary')
        const topic = utf8.decode(buf.subarray(i + 2, topicEnd))
        let p = topicEnd
        let messageId
        if (qos > 0) {
          messageId = (buf[p] << 8) | buf[p + 1]
          p += 2
        }
        onPacket({
          cmd: 'publish',
          qos,
          dup: (first & 8) !== 0,
          retain: (first & 1) !== 0,
          topic,
          messageId,
          payload: buf.subarray(p, end)
        })
      }
      pos = end
    }
    return pos
  }

  /** Stream wrapper: keeps a partial packet between calls. */
  class HandDecoder {
    constructor (onPacket) {
      this.onPacket = onPacket
      this.rest = null
    }

    parse (chunk) {
      let buf = chunk
      if (this.rest) {
        buf = new Uint8Array(this.rest.length + chunk.length)
        buf.set(this.rest)
        buf.set(chunk, this.rest.length)
      }
      const used = handDecode(buf, this.onPacket)
      this.rest = used < buf.length ? buf.slice(used) : null
    }
  }

  // ------------------------------------------------------------ state

  let stream = null // { bytes, ends, messages, buffer, bufferMessages, count }

  function setup ({ count, payloadSize, topic }) {
    if (!window.wasmBindings?.bench_decode_publish) throw new Error('window.wasmBindings.bench_decode_publish missing: not a build with src/bench_exports.rs')
    if (!window.mqttPacket?.parser) throw new Error('window.mqttPacket missing: the mqtt-packet bundle was not loaded')
    const { bytes, ends } = buildStream({ count, payloadSize, topic })
    const { Buffer } = window.mqttPacket
    // Per-message views (no copies), made once, outside the timings, for
    // every decoder alike: a WebSocket message arrives as its own buffer.
    const messages = new Array(count)
    const bufferMessages = new Array(count)
    let start = 0
    for (let i = 0; i < count; i++) {
      messages[i] = bytes.subarray(start, ends[i])
      bufferMessages[i] = Buffer.from(bytes.buffer, bytes.byteOffset + start, ends[i] - start)
      start = ends[i]
    }
    stream = { bytes, ends, messages, bufferMessages, count, buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) }
    return { count, bytes: bytes.length, expectedChecksum: count * (new TextEncoder().encode(topic).length + payloadSize) }
  }

  // Each returns { count, checksum }.
  const decoders = {
    ours: {
      buffer () {
        const count = window.wasmBindings.bench_decode_publish(stream.bytes, MAX_PACKET_SIZE)
        return { count, checksum: window.wasmBindings.bench_last_checksum() }
      },
      messages () {
        const decoder = new window.wasmBindings.BenchDecoder(MAX_PACKET_SIZE)
        const messages = stream.messages
        let count = 0
        for (let i = 0; i < messages.length; i++) count = decoder.feed(messages[i])
        const checksum = decoder.checksum()
        decoder.free()
        return { count, checksum }
      }
    },
    // Diagnostic: one feed per packet like 'messages', but the loop runs
    // inside wasm (no JS/wasm crossing, no copy per message).
    oursInWasm: {
      messages () {
        const count = window.wasmBindings.bench_decode_publish_chunked(stream.bytes, stream.ends, MAX_PACKET_SIZE)
        return { count, checksum: window.wasmBindings.bench_last_checksum() }
      }
    },
    mqttPacket: {
      buffer () {
        return viaMqttPacket((parser) => parser.parse(stream.buffer))
      },
      messages () {
        return viaMqttPacket((parser) => {
          const messages = stream.bufferMessages
          for (let i = 0; i < messages.length; i++) parser.parse(messages[i])
        })
      }
    },
    handJs: {
      buffer () {
        return viaHand((decoder) => decoder.parse(stream.bytes))
      },
      messages () {
        return viaHand((decoder) => {
          const messages = stream.messages
          for (let i = 0; i < messages.length; i++) decoder.parse(messages[i])
        })
      }
    }
  }

  function viaMqttPacket (feed) {
    // As mqtt.js does: one parser per connection, packets as events.
    const parser = window.mqttPacket.parser({ protocolVersion: 4 })
    let count = 0
    let checksum = 0
    let error = null
    parser.on('packet', (packet) => {
      count++
      checksum = (checksum + packet.topic.length + packet.payload.length) >>> 0
    })
    parser.on('error', (e) => { error = e })
    feed(parser)
    if (error) throw error
    return { count, checksum }
  }

  function viaHand (feed) {
    let count = 0
    let checksum = 0
    const decoder = new HandDecoder((packet) => {
      count++
      checksum = (checksum + packet.topic.length + packet.payload.length) >>> 0
    })
    feed(decoder)
    return { count, checksum }
  }

  /** Every decoder in every scenario once, untimed: same counts, same checksums. */
  function check () {
    const out = {}
    for (const [name, scenarios] of Object.entries(decoders)) {
      for (const [scenario, fn] of Object.entries(scenarios)) out[`${name}/${scenario}`] = fn()
    }
    return out
  }

  /** One timed run (`times` back-to-back calls); ms from performance.now(). */
  function run (decoder, scenario, times = 1) {
    const fn = decoders[decoder][scenario]
    const t0 = performance.now()
    let result
    for (let i = 0; i < times; i++) result = fn()
    const ms = performance.now() - t0
    return { ...result, ms, bytes: stream.bytes.length }
  }

  window.codecBench = { setup, check, run, decoders: Object.keys(decoders), scenarios: ['buffer', 'messages'] }
})()
