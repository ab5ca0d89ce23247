// A simulated device fleet for the example: answers commands published to
// `device/<id>/cmd` with its status on `device/<id>/status`, like a real
// device's firmware would. Plain mqtt.js, no browser.
//
//   node examples/headless-device-test/device.mjs mqtt://127.0.0.1:1883
//
// Commands (JSON payloads):
//   {"cmd": "status"}            -> {"status": "ok", "temp": 21.5, "uptime": <s>}
//   {"cmd": "set", "temp": 19}   -> {"status": "ok", "temp": 19}
//   {"cmd": "reboot"}            -> {"status": "rebooting"}, then {"status": "ok", ...}
//   anything else                -> {"status": "error", "error": "unknown command …"}

import mqtt from 'mqtt'

/**
 * Connects a simulated device fleet to `brokerUrl` (mqtt://, ws://).
 * Resolves once it listens for commands; `stop()` disconnects it.
 */
export async function startDevice ({ brokerUrl, temperature = 21.5 } = {}) {
  const started = Date.now()
  const temps = new Map()
  const client = mqtt.connect(brokerUrl, {
    clientId: `simulated-device-${Math.random().toString(16).slice(2, 10)}`,
    reconnectPeriod: 0
  })
  await new Promise((resolve, reject) => {
    client.once('connect', resolve)
    client.once('error', reject)
  })
  await client.subscribeAsync('device/+/cmd', { qos: 1 })

  client.on('message', (topic, payload) => {
    const id = topic.split('/')[1]
    const reply = (body) => client.publish(`device/${id}/status`, JSON.stringify(body), { qos: 1 })
    let command
    try {
      command = JSON.parse(payload.toString())
    } catch {
      command = { cmd: payload.toString() }
    }
    const temp = temps.get(id) ?? temperature
    switch (command.cmd) {
      case 'status':
        reply({ status: 'ok', temp, uptime: Math.round((Date.now() - started) / 1000) })
        break
      case 'set':
        temps.set(id, command.temp)
        reply({ status: 'ok', temp: command.temp })
        break
      case 'reboot':
        reply({ status: 'rebooting' })
        setTimeout(() => reply({ status: 'ok', temp, uptime: 0 }), 300)
        break
      default:
        reply({ status: 'error', error: `unknown command ${JSON.stringify(command.cmd)}` })
    }
  })

  return { stop: () => client.endAsync() }
}

// Run on its own: node device.mjs [broker-url]
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const brokerUrl = process.argv[2] ?? 'mqtt://127.0.0.1:1883'
  await startDevice({ brokerUrl })
  console.log(`simulated devices listening on ${brokerUrl} (device/+/cmd)`)
}
