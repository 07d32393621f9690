/**
 * JSON output for commands: bigints become strings (ids as 0x-prefixed hex when the field name
 * says it is an id, other 64-bit values in decimal), byte arrays become hex.
 */

const HEX_FIELDS = /^(guid|src|dest|peerGuid|lookupId|ownerId|srcId|key)$/
const LONG_HEX_FIELDS = /^(appId)$/

export function toJson (value: unknown, indent = 2): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (typeof v === 'bigint') {
      if (HEX_FIELDS.test(key)) return '0x' + v.toString(16)
      if (LONG_HEX_FIELDS.test(key)) return BigInt.asUintN(64, v).toString(16).padStart(16, '0')
      return v.toString()
    }
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
    return v
  }, indent)
}
