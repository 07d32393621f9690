/**
 * A node's network address (Bamboo's `NodeId`: an IP address and a UDP port) and conversion of
 * IPv4/IPv6 text to and from the raw address bytes that go on the wire. No DNS, no I/O.
 */

export interface NodeAddress {
  /** Dotted IPv4, or IPv6 as Java prints it (eight hex groups, no compression). */
  readonly host: string
  /** UDP port, 0–65535. */
  readonly port: number
}

/** A stable map key for an address. */
export function addressKey (address: NodeAddress): string {
  return `${address.host}:${address.port}`
}

export function sameAddress (a: NodeAddress, b: NodeAddress): boolean {
  return a.port === b.port && a.host === b.host
}

/** Parses `HOST:PORT` (IPv6 as `[HOST]:PORT`); null when malformed. */
export function parseAddress (text: string): NodeAddress | null {
  const match = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(text) ?? /^([0-9.]+):(\d+)$/.exec(text)
  if (match === null) return null
  const port = Number(match[2])
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null
  const bytes = tryAddressBytes(match[1]!)
  if (bytes === null) return null
  return { host: hostFromBytes(bytes)!, port }
}

/** Raw address bytes (4 for IPv4, 16 for IPv6); throws on text that is not an IP address. */
export function addressBytes (host: string): Uint8Array {
  return addressBytesView(host).slice()
}

/**
 * Like `addressBytes`, without the copy: the parsed bytes every caller shares, to be read and
 * never changed (encoders, which copy them into their output).
 */
export function addressBytesView (host: string): Uint8Array {
  const bytes = parsedAddress(host)
  if (bytes === null) throw new RangeError(`not an IP address: ${host}`)
  return bytes
}

/** Raw address bytes, or null when `host` is not an IPv4/IPv6 literal. */
export function tryAddressBytes (host: string): Uint8Array | null {
  return parsedAddress(host)?.slice() ?? null
}

/** The parsed bytes of `host` (shared: callers copy or only read), or null; parsed once per host. */
function parsedAddress (host: string): Uint8Array | null {
  const cached = parsedHosts.get(host)
  if (cached !== undefined) return cached
  const bytes = host.includes(':') ? parseIpv6(host) : parseIpv4(host)
  if (bytes !== null) {
    if (parsedHosts.size >= PARSED_HOSTS_MAX) parsedHosts.clear()
    parsedHosts.set(host, bytes)
  }
  return bytes
}

/** Parsed host texts: nodes talk to the same few hundred peers over and over. */
const parsedHosts = new Map<string, Uint8Array>()
const PARSED_HOSTS_MAX = 100_000

/**
 * Text form of raw address bytes; null unless 4 or 16 bytes (Java accepts only those). An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address, as Java's InetAddress makes it.
 */
export function hostFromBytes (bytes: Uint8Array): string | null {
  if (bytes.length === 4) return `${bytes[0]!}.${bytes[1]!}.${bytes[2]!}.${bytes[3]!}`
  if (bytes.length !== 16) return null
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return Array.from(bytes.subarray(12)).join('.')
  }
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16))
  return groups.join(':')
}

function parseIpv4 (host: string): Uint8Array | null {
  const parts = host.split('.')
  if (parts.length !== 4) return null
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!
    if (!/^\d{1,3}$/.test(part)) return null
    const value = Number(part)
    if (value > 255) return null
    out[i] = value
  }
  return out
}

function parseIpv6 (host: string): Uint8Array | null {
  const halves = host.split('::')
  if (halves.length > 2) return null
  const head = halves[0] === '' ? [] : halves[0]!.split(':')
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  const out = new Uint8Array(16)
  for (let i = 0; i < 8; i++) {
    const group = groups[i]!
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null
    const value = parseInt(group, 16)
    out[2 * i] = value >> 8
    out[2 * i + 1] = value & 0xff
  }
  return out
}
