/**
 * Hex text of a 20-byte object id, the key of the transfer layer's maps. Ids are never mutated
 * once made, so each id object's text is computed once and remembered beside it (weakly): in
 * studies the same id objects pass through every host's maps many times. Pure.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const KNOWN = new WeakMap<Uint8Array, string>()

export function idHex (id: Uint8Array): string {
  let out = KNOWN.get(id)
  if (out !== undefined) return out
  out = ''
  for (let i = 0; i < id.length; i++) out += HEX[id[i]!]
  KNOWN.set(id, out)
  return out
}
