/** Hex text of a 20-byte object id, the key of the transfer layer's maps. Pure. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function idHex (id: Uint8Array): string {
  let out = ''
  for (let i = 0; i < id.length; i++) out += HEX[id[i]!]
  return out
}
