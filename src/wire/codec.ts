/**
 * The message codec's public face: encode any registered wire object to Bamboo's bytes, and
 * decode bytes back to a typed object or an error value. Decoding never throws, whatever the
 * input; the reader's WireError and any other failure become `{ ok: false, error }`.
 */
import { WireError, WireReader } from './reader.ts'
import { decodeObject, encodeObject, type WireObjectBase } from './registry.ts'
import { WireSizer } from './sizer.ts'
import { WireWriter } from './writer.ts'
import type { WireMessage } from './wire-message.ts'
import './router-messages.ts'
import './rpc-messages.ts'
import './vivaldi-messages.ts'
import './dht-messages.ts'
import './dht-get-messages.ts'
import './dmgr-messages.ts'
import './xest-messages.ts'

export type { WireMessage }

export type Decoded<T> =
  | { readonly ok: true, readonly value: T, /** Bytes after the object (Java ignores them). */ readonly trailingBytes: number }
  | { readonly ok: false, readonly error: string }

/** Type code + fields of `message`. Throws only for programmer errors (unregistered type). */
export function encodeMessage (message: WireObjectBase): Uint8Array {
  const writer = new WireWriter(128)
  encodeObject(writer, message)
  return writer.finish()
}

/** The length `encodeMessage(message)` would have, without building the bytes. */
export function sizeMessage (message: WireObjectBase): number {
  sizer.reset()
  encodeObject(sizer, message)
  return sizer.length
}

/** Encoders run synchronously and never size a message inside another, so one sizer serves all. */
const sizer = new WireSizer()

/** Decodes one top-level object; never throws. */
export function decodeMessage (bytes: Uint8Array): Decoded<WireMessage> {
  try {
    const reader = new WireReader(bytes)
    const value = decodeObject<WireMessage>(reader)
    return { ok: true, value, trailingBytes: reader.remaining }
  } catch (error) {
    if (error instanceof WireError) return { ok: false, error: error.message }
    if (error instanceof RangeError) return { ok: false, error: `malformed: ${error.message}` }
    return { ok: false, error: `malformed: ${String(error)}` }
  }
}
