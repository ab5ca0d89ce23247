// Entry point of the browser bundle of mqtt-packet (the codec inside
// mqtt.js), built by run.mjs with esbuild as an IIFE that sets
// `window.mqttPacket`. Node's `Buffer` and `process` come from the npm
// polyfills (`buffer`, `process`) that mqtt.js's own browser build uses too;
// `events` resolves to the npm `events` package.
export { parser, generate } from 'mqtt-packet'
export { Buffer } from 'buffer'
