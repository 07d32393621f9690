/**
 * How UdpCC turns messages into bytes and back (Bamboo's `UdpCC.Serializer`). The default is
 * Bamboo's QuickSerializable codec; tests and benchmarks may carry raw bytes instead.
 */
import { decodeMessage, encodeMessage, sizeMessage, type Decoded, type WireMessage } from '../wire/codec.ts'

export interface Serializer<T> {
  encode (message: T): Uint8Array
  /** Never throws: malformed bytes give `{ ok: false }`. */
  decode (bytes: Uint8Array): Decoded<T>
  /** `encode(message).length`, computed without building the bytes. */
  sizeBytes (message: T): number
}

/** Bamboo's wire format: a type code and the message's fields. */
export const wireSerializer: Serializer<WireMessage> = {
  encode: encodeMessage,
  decode: decodeMessage,
  sizeBytes: sizeMessage
}

/** Opaque bytes, copied on receive. */
export const bytesSerializer: Serializer<Uint8Array> = {
  encode: (message) => message,
  decode: (bytes) => ({ ok: true, value: bytes.slice(), trailingBytes: 0 }),
  sizeBytes: (message) => message.length
}
