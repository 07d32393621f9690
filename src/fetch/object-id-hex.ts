/**
 * Hex text of a 20-byte object id, the key of the transfer layer's maps. Ids are never mutated
 * once made, so each id object's text is computed once and remembered beside it (weakly): in
 * studies the same id objects pass through every host's maps many times. Pure.
 */
import { toHex } from '../ids/sha1.ts'

const KNOWN = new WeakMap<Uint8Array, string>()

export function idHex (id: Uint8Array): string {
  let out = KNOWN.get(id)
  if (out !== undefined) return out
  // One flat string (text built by `+=` is a rope of 20 pieces, ten times the memory when kept).
  out = toHex(id)
  KNOWN.set(id, out)
  return out
}
