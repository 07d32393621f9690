/**
 * Base64 as Apache XML-RPC 1.2-b1's `org.apache.xmlrpc.Base64` does it, since keys and values
 * reach the DHT through it and answers leave through it, byte for byte:
 *
 * - Encoding writes lines of at most 76 characters, each ended by "\n" (the last one too);
 *   nothing at all for no bytes.
 * - Decoding first drops every byte outside `A-Z a-z 0-9 + / =`; a byte ≥ 0x80 (Latin-1 text
 *   above ASCII) made Java index its table with a negative number and fail, and so does this.
 *   It then sizes the output from the count of characters without trailing padding, decodes whole
 *   quartets and leaves the rest zero, which is how unpadded or short input came out of Bamboo.
 *
 * Pure; never throws (failure is `null`).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const PAD = 61
const LINE_CHARS = 76

/** Sextet of each base64 char; `=` counts as -1, as in the Java table. */
const SEXTETS: Int8Array = (() => {
  const table = new Int8Array(128).fill(-2)
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i
  table[PAD] = -1
  return table
})()

export function encodeBase64Lines (bytes: Uint8Array): string {
  const flat = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  let out = ''
  for (let i = 0; i < flat.length; i += LINE_CHARS) out += flat.slice(i, i + LINE_CHARS) + '\n'
  return out
}

/**
 * Decodes text as the Java class did; `null` where Java threw (a char code ≥ 0x80 and ≤ 0xff,
 * or padding that leaves no room for the bytes a quartet writes).
 */
export function decodeBase64Lenient (text: string): Uint8Array | null {
  const kept: number[] = []
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0x80 && code <= 0xff) return null
    if (code < 0x80 && SEXTETS[code]! !== -2) kept.push(code)
  }
  if (kept.length === 0) return new Uint8Array(0)
  let lastData = kept.length
  while (kept[lastData - 1] === PAD) {
    if (--lastData === 0) return new Uint8Array(0)
  }
  const quartets = Math.floor(kept.length / 4)
  const out = new Uint8Array(lastData - quartets)
  for (let q = 0; q < quartets; q++) {
    const at = q * 4
    const b1 = SEXTETS[kept[at]!]!
    const b2 = SEXTETS[kept[at + 1]!]!
    const marker0 = kept[at + 2]!
    const marker1 = kept[at + 3]!
    const written = marker0 === PAD ? 1 : marker1 === PAD ? 2 : 3
    if (q * 3 + written > out.length) return null
    out[q * 3] = (b1 << 2) | (b2 >> 4)
    if (written >= 2) out[q * 3 + 1] = ((b2 & 0xf) << 4) | ((SEXTETS[marker0]! >> 2) & 0xf)
    if (written === 3) out[q * 3 + 2] = (SEXTETS[marker0]! << 6) | SEXTETS[marker1]!
  }
  return out
}
