/**
 * Names what a simulated datagram carries, for traffic-by-type metrics: "ack" for UdpCC's pure
 * acks, the Bamboo class name (e.g. "PingMsg") for a data datagram whose body starts with a
 * registered type code, "data" otherwise, "malformed" when the framing is not UdpCC's. Reads
 * only the framing and the first 8 body bytes; never decodes or throws.
 */
import { registeredWireTypeCount, registeredWireTypes } from '../../src/wire/registry.ts'
import { DATA_HEADER_BYTES, MAC_BYTES, PURE_ACK_BYTES } from '../../src/wire/datagram.ts'
import '../../src/wire/codec.ts'

/** Type names by the code's high 32 bits, then its low 32 bits (no per-datagram allocation). */
let namesByCode = new Map<number, Map<number, string>>()
let namesKnown = -1

export function classifyDatagram (bytes: Uint8Array): string {
  if (bytes.length < 4) return 'malformed'
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getInt32(0)
  if (version !== 0 && version !== 1) return 'malformed'
  const end = bytes.length - (version === 1 ? MAC_BYTES : 0)
  if (end === PURE_ACK_BYTES) return 'ack'
  if (end < DATA_HEADER_BYTES + 8) return end < DATA_HEADER_BYTES ? 'malformed' : 'data'
  const names = typeNames().get(view.getUint32(DATA_HEADER_BYTES))
  return names?.get(view.getUint32(DATA_HEADER_BYTES + 4)) ?? 'data'
}

function typeNames (): Map<number, Map<number, string>> {
  if (registeredWireTypeCount() !== namesKnown) {
    const types = registeredWireTypes()
    namesByCode = new Map()
    for (const t of types) {
      const high = parseInt(t.codeHex.slice(0, 8), 16)
      let low = namesByCode.get(high)
      if (low === undefined) namesByCode.set(high, low = new Map())
      low.set(parseInt(t.codeHex.slice(8), 16), t.type)
    }
    namesKnown = types.length
  }
  return namesByCode
}
