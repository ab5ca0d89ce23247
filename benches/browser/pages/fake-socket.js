// A fake WebSocket for "client only" runs (no broker): installed before any
// page script when the URL has `fake=N`. It answers CONNECT and SUBSCRIBE,
// then replays N pre-encoded PUBLISH frames (one packet per frame, a fresh
// ArrayBuffer each, as a real socket delivers them), 1000 per task.
(function () {
  const params = new URLSearchParams(location.search)
  if (!params.has('fake')) return
  const total = Number(params.get('fake'))
  const size = Number(params.get('fakeSize') || 64)
  const topic = new TextEncoder().encode(params.get('fakeTopic') || 'bench/fake')
  const payload = new TextEncoder().encode(('{"i":1,"currentTemp":21,"pad":"' + 'x'.repeat(size)).slice(0, size - 2) + '"}')
  const length = 2 + topic.length + payload.length
  const header = length < 128 ? [0x30, length] : [0x30, (length % 128) | 0x80, Math.floor(length / 128)]
  const frame = new Uint8Array(header.length + length)
  frame.set(header, 0)
  frame.set([topic.length >> 8, topic.length & 255], header.length)
  frame.set(topic, header.length + 2)
  frame.set(payload, header.length + 2 + topic.length)
  const template = frame.buffer
  window.__fake = { total, start: NaN, dispatched: 0 }

  class FakeWebSocket extends EventTarget {
    constructor (url, protocols) {
      super()
      this.url = url
      this.protocol = 'mqtt'
      this.readyState = 0
      this.binaryType = 'blob'
      this.bufferedAmount = 0
      this.extensions = ''
      this.onopen = this.onmessage = this.onclose = this.onerror = null
      setTimeout(() => { this.readyState = 1; this._emit('open', new Event('open')) }, 0)
    }

    _emit (type, event) {
      const handler = this['on' + type]
      if (handler) handler.call(this, event)
      this.dispatchEvent(event)
    }

    _reply (bytes) {
      const data = new Uint8Array(bytes).buffer
      setTimeout(() => this._emit('message', new MessageEvent('message', { data })), 0)
    }

    send (data) {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      let i = 0
      while (i < bytes.length) {
        const type = bytes[i] >> 4
        let multiplier = 1; let remaining = 0; let k = i + 1
        while (true) { const b = bytes[k++]; remaining += (b & 127) * multiplier; multiplier *= 128; if (!(b & 128)) break }
        if (type === 1) this._reply([0x20, 2, 0, 0])
        if (type === 8) { this._reply([0x90, 3, bytes[k], bytes[k + 1], 0]); setTimeout(() => this._replay(), 10) }
        if (type === 12) this._reply([0xd0, 0])
        i = k + remaining
      }
    }

    _replay () {
      const channel = new MessageChannel()
      const fake = window.__fake
      fake.start = performance.now()
      const step = () => {
        const end = Math.min(fake.total, fake.dispatched + 1000)
        for (; fake.dispatched < end && this.readyState === 1; fake.dispatched++) {
          this._emit('message', new MessageEvent('message', { data: template.slice(0) }))
        }
        if (fake.dispatched < fake.total && this.readyState === 1) channel.port2.postMessage(0)
      }
      channel.port1.onmessage = step
      step()
    }

    close () {
      if (this.readyState === 3) return
      this.readyState = 3
      setTimeout(() => this._emit('close', new CloseEvent('close', { code: 1000, reason: '', wasClean: true })), 0)
    }
  }
  FakeWebSocket.CONNECTING = 0; FakeWebSocket.OPEN = 1; FakeWebSocket.CLOSING = 2; FakeWebSocket.CLOSED = 3
  window.WebSocket = FakeWebSocket
  // The app keeps its socket in a worker, where this fake cannot follow;
  // without workers it falls back to a main-thread socket (the same client
  // code, one frame per task as here), which is what "client only" measures
  // for it. (mqtt.js needs its worker timers: the reference pages keep them.)
  if (!location.pathname.startsWith('/bench/')) window.Worker = undefined
})()
