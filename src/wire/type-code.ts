/**
 * Bamboo's type codes: the first 8 bytes of SHA-1 of the Java class name, as a big-endian long
 * (`ostore.util.TypeTable.type_code`). Nested classes use `$` (`bamboo.lss.Rpc$Msg`).
 * The same rule gives application ids (`bamboo.dht.Dht` → 4533de0530040854).
 */
import { sha1, toHex } from '../ids/sha1.ts'

/** The type code of a Java class name as 16 lower-case hex digits. */
export function typeCodeHex (className: string): string {
  return toHex(sha1(className).subarray(0, 8))
}

/** The type code (or application id) as a signed 64-bit integer, as Java holds it. */
export function typeCodeValue (className: string): bigint {
  return BigInt.asIntN(64, BigInt('0x' + typeCodeHex(className)))
}

/** A signed 64-bit value as 16 lower-case hex digits (two's complement). */
export function longToHex (value: bigint): string {
  return BigInt.asUintN(64, value).toString(16).padStart(16, '0')
}
