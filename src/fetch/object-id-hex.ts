/**
 * Hex text of a 20-byte object id, the key of the transfer layer's maps. Ids are never mutated
 * once made, so each id object's text is computed once and kept on the object itself under a
 * private symbol (non-enumerable: comparisons and encoders never see it). A property read costs a
 * tenth of a WeakMap lookup, and in studies the same id objects pass through every host's maps
 * many times. Pure.
 */
import { toHex } from '../ids/sha1.ts'

const HEX: unique symbol = Symbol('idHex')

type KnownId = Uint8Array & { readonly [HEX]?: string }

export function idHex (id: Uint8Array): string {
  const known = (id as KnownId)[HEX]
  if (known !== undefined) return known
  // One flat string (text built by `+=` is a rope of 20 pieces, ten times the memory when kept).
  const out = toHex(id)
  Object.defineProperty(id, HEX, { value: out })
  return out
}
