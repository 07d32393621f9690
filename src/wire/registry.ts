/**
 * The table of wire types: each QuickSerializable class Bamboo sends, with its type code and the
 * functions that write and read its fields. Message modules register their types at import;
 * `encodeObject`/`decodeObject` write and read "i64 type code + fields" (Bamboo's
 * `OutputBuffer.add(QuickSerializable)` and `nextObject()`). Unknown codes are a WireError.
 */
import { WireError, type WireReader } from './reader.ts'
import { typeCodeHex } from './type-code.ts'
import type { WireWriter } from './writer.ts'

/** Any decoded wire object: a plain record tagged with its Bamboo class's simple name. */
export interface WireObjectBase {
  readonly type: string
}

export interface WireTypeSpec<T extends WireObjectBase> {
  /** The tag in `type`, e.g. 'PingMsg' or 'Rpc$Msg'. */
  readonly type: T['type']
  /** The fully qualified Java class name whose SHA-1 gives the type code. */
  readonly className: string
  encode (writer: WireWriter, value: T): void
  decode (reader: WireReader): T
}

interface Entry { spec: WireTypeSpec<WireObjectBase>, codeHex: string, code: bigint }

const byType = new Map<string, Entry>()
const byCode = new Map<string, Entry>()

export function registerWireType<T extends WireObjectBase> (spec: WireTypeSpec<T>): void {
  const codeHex = typeCodeHex(spec.className)
  const existing = byCode.get(codeHex)
  if (existing !== undefined) {
    if (existing.spec.className === spec.className) return
    throw new Error(`type code collision: ${spec.className} and ${existing.spec.className}`)
  }
  const entry: Entry = { spec: spec as unknown as WireTypeSpec<WireObjectBase>, codeHex, code: BigInt.asIntN(64, BigInt('0x' + codeHex)) }
  byType.set(spec.type, entry)
  byCode.set(codeHex, entry)
}

/** How many types are registered (cheap; lets callers cache `registeredWireTypes`). */
export function registeredWireTypeCount (): number {
  return byType.size
}

/** All registered types, in registration order. */
export function registeredWireTypes (): Array<{ type: string, className: string, codeHex: string }> {
  return [...byType.values()].map((e) => ({ type: e.spec.type, className: e.spec.className, codeHex: e.codeHex }))
}

/** Writes the type code and the fields of `value`. Throws only for programmer errors. */
export function encodeObject (writer: WireWriter, value: WireObjectBase): void {
  const entry = byType.get(value.type)
  if (entry === undefined) throw new Error(`unregistered wire type ${value.type}`)
  writer.i64(entry.code)
  entry.spec.encode(writer, value)
}

/** Reads a type code and the fields it announces; WireError for unknown codes or bad fields. */
export function decodeObject<T extends WireObjectBase = WireObjectBase> (reader: WireReader, expect?: readonly string[]): T {
  const at = reader.offset
  const codeHex = BigInt.asUintN(64, reader.i64('type code')).toString(16).padStart(16, '0')
  const entry = byCode.get(codeHex)
  if (entry === undefined) throw new WireError(`unknown type code ${codeHex} at byte ${at}`)
  if (expect !== undefined && !expect.includes(entry.spec.type)) {
    throw new WireError(`expected ${expect.join(' or ')} at byte ${at}, found ${entry.spec.type}`)
  }
  return entry.spec.decode(reader) as T
}
