// Injected by esbuild into the mqtt-packet bundle: Node's globals.
import { Buffer } from 'buffer'
import process from 'process'
export { Buffer, process }
