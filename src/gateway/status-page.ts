/**
 * The HTML status page a browser (or Bamboo's `vis` scraper) gets from an HTTP GET on the
 * gateway port, laid out line for line like Bamboo's `WebInterface.create_response()`: node info
 * rows ("Hostname:", "IP Address:", "Port:", "ID:" as 0x + 8 hex digits, "Uptime:",
 * "Current Storage:", "Estimated Network Size:"), the leaf set (position −n…−1 for
 * predecessors, farthest first, then 1…n for successors) and the routing table, one `<tr>` per
 * line so per-line regular expressions keep working. Adds a "Stored Tuples:" row. Leaf-set
 * RTTs come from the routing table when the same node is there, else "??" as in Bamboo.
 *
 * Every value taken from the status is HTML-escaped. Pure; never throws.
 */
import type { NodeStatus } from '../dht/dht-api.ts'
import { latin1Encode } from './xmlrpc-format.ts'

export interface StatusPageInfo {
  /** Seconds since the gateway started. */
  readonly uptimeS: number
  /** What the "Build:" row shows. @default 'xest' */
  readonly build?: string
}

const MODULUS = 1n << 160n

/** Bamboo's exact header bytes for the page: LF line ends, then CRLF CRLF, no Content-Length. */
export const STATUS_PAGE_HEADERS = 'HTTP/1.0 200 OK\n' +
  'Date: Wed, 19 Nov 2003 01:49:00 GMT\n' +
  'Server: bamboo\nConnection: close\n' +
  'Content-Type: text/html; charset=iso-8859-1\r\n\r\n'

export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']|[^\u0000-\u00ff]/gu, (c) => {
    switch (c) {
      case '&': return '&amp;'
      case '<': return '&lt;'
      case '>': return '&gt;'
      case '"': return '&quot;'
      case "'": return '&#39;'
      default: return `&#${c.codePointAt(0)!};`
    }
  })
}

/** Splits "host:port" or "[v6]:port"; the port is -1 when there is none. */
function splitAddress (address: string): { host: string, port: number } {
  const match = /^\[(.*)\]:(\d+)$/.exec(address) ?? /^([^:]*):(\d+)$/.exec(address)
  if (match === null) return { host: address, port: -1 }
  return { host: match[1]!, port: Number(match[2]) }
}

function guidValue (guidHex: string): bigint | null {
  return /^[0-9a-fA-F]{1,40}$/.test(guidHex) ? BigInt(`0x${guidHex}`) : null
}

/** Bamboo's `GuidTools.guid_to_string`: the high-order 8 of 40 hex digits. */
function shortGuid (guidHex: string): string {
  const value = guidValue(guidHex)
  return value === null ? escapeHtml(guidHex) : value.toString(16).padStart(40, '0').slice(0, 8)
}

/** Bamboo's `StringUtil.time_to_sbuf`: "2 days 1 hour 5 seconds". */
export function formatUptime (seconds: number): string {
  const units: Array<[number, string]> = [[604800, 'week'], [86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']]
  const parts: string[] = []
  let rest = Math.max(0, Math.floor(seconds))
  for (const [size, name] of units) {
    if (rest < size) continue
    const count = Math.floor(rest / size)
    rest %= size
    parts.push(`${count} ${name}${count === 1 ? '' : 's'}`)
  }
  return parts.join(' ')
}

/** Bamboo's `StringUtil.byte_cnt_to_sbuf`: "0 bytes", "1.5 KBs", "2 MBs". */
export function formatByteCount (bytes: number): string {
  const units: Array<[number, string]> = [[1024 ** 3, 'GB'], [1024 ** 2, 'MB'], [1024, 'KB'], [1, 'byte']]
  for (const [size, name] of units) {
    if (size !== 1 && bytes < size) continue
    const amount = Math.round((bytes / size) * 100) / 100
    return `${amount} ${name}${amount === 1 ? '' : 's'}`
  }
  return `${bytes} bytes`
}

/** Ring distance either way, as `GuidTools.calc_dist`. */
function ringDistance (a: bigint, b: bigint): bigint {
  const one = (((b - a) % MODULUS) + MODULUS) % MODULUS
  const two = (((a - b) % MODULUS) + MODULUS) % MODULUS
  return one <= two ? one : two
}

type LeafEntry = NodeStatus['leafSet'][number]

/** Bamboo's estimate: the ring over the mean gap the leaf set spans (rounded up twice). */
function estimateNetworkSize (preds: readonly LeafEntry[], succs: readonly LeafEntry[]): string {
  const far = [preds[preds.length - 1], succs[succs.length - 1]].map((entry) => entry === undefined ? null : guidValue(entry.guidHex))
  const [farPred, farSucc] = far
  if (farPred === null || farPred === undefined || farSucc === null || farSucc === undefined || farPred === farSucc) return '1'
  const slots = BigInt(preds.length + succs.length)
  const span = ringDistance(farPred, farSucc)
  const perNodeMilli = (span * 1000n + slots - 1n) / slots
  if (perNodeMilli === 0n) return '1'
  return ((MODULUS * 1000n + perNodeMilli - 1n) / perNodeMilli).toString()
}

/** Orders one side of the leaf set nearest first, by ring distance from this node. */
function nearestFirst (entries: readonly LeafEntry[], self: bigint | null, side: 'pred' | 'succ'): LeafEntry[] {
  if (self === null) return [...entries]
  const distance = (entry: LeafEntry): bigint => {
    const guid = guidValue(entry.guidHex) ?? self
    const delta = side === 'succ' ? guid - self : self - guid
    return ((delta % MODULUS) + MODULUS) % MODULUS
  }
  return [...entries].sort((a, b) => {
    const da = distance(a)
    const db = distance(b)
    return da < db ? -1 : da > db ? 1 : a.address < b.address ? -1 : a.address > b.address ? 1 : 0
  })
}

function nodeLink (address: string): { link: string, port: string } {
  const { host, port } = splitAddress(address)
  const gatewayPort = port >= 0 ? String(port + 1) : ''
  const hostText = escapeHtml(host.includes(':') ? `[${host}]` : host)
  return {
    link: `<a href="http://${hostText}:${gatewayPort}/">${escapeHtml(host)}</a>`,
    port: port >= 0 ? String(port) : '??'
  }
}

function leafSetRows (preds: readonly LeafEntry[], succs: readonly LeafEntry[], latencyMs: ReadonlyMap<string, number>): string {
  const row = (position: number, entry: LeafEntry): string => {
    const { link, port } = nodeLink(entry.address)
    const rtt = entry.latencyMs ?? latencyMs.get(entry.address)
    return `<tr><td align="center">${position}</td><td align="center">${link}</td>` +
      `<td align="center">${port}</td><td align="center">0x${shortGuid(entry.guidHex)}</td>` +
      `<td align="center">${rtt === undefined ? '??' : Math.round(rtt)}</td></tr>\n`
  }
  let rows = ''
  for (let i = preds.length - 1; i >= 0; i--) rows += row(-(i + 1), preds[i]!)
  succs.forEach((entry, i) => { rows += row(i + 1, entry) })
  return rows
}

function routingTableRows (status: NodeStatus, guidByAddress: ReadonlyMap<string, string>): string {
  let rows = ''
  const entries = [...status.routingTable].sort((a, b) => a.level - b.level || a.digit - b.digit)
  for (const entry of entries) {
    if (entry.address === status.address) continue
    const { link, port } = nodeLink(entry.address)
    const guid = entry.guidHex ?? guidByAddress.get(entry.address)
    rows += `<tr><td align="center">${entry.level}</td><td align="center">${entry.digit}</td>` +
      `<td align="center">${link}</td><td align="center">${port}</td>` +
      `<td align="center">0x${guid === undefined ? '????????' : shortGuid(guid)}</td>` +
      `<td align="center">${Number.isFinite(entry.latencyMs) ? Math.round(entry.latencyMs) : '???'}</td></tr>\n`
  }
  return rows
}

function nodeInfoRows (status: NodeStatus, info: StatusPageInfo, preds: readonly LeafEntry[], succs: readonly LeafEntry[]): string {
  const { host, port } = splitAddress(status.address)
  const row = (label: string, value: string, extra = ''): string =>
    `<tr><td><em>${label}:</em></td><td${extra}></td><td>${value}</td></tr>\n`
  return row('Build', escapeHtml(info.build ?? 'xest'), ' width=10') +
    row('Hostname', escapeHtml(host)) +
    row('IP Address', escapeHtml(host)) +
    row('Port', port >= 0 ? String(port) : '??') +
    row('ID', `0x${shortGuid(status.guidHex)}`) +
    row('Uptime', formatUptime(info.uptimeS)) +
    row('Current Storage', formatByteCount(status.storedBytes)) +
    row('Stored Tuples', String(status.storedTuples)) +
    row('Virtual Coordinates', '') +
    row('Estimated Network Size', `${estimateNetworkSize(preds, succs)} nodes`)
}

/** The page's HTML (without HTTP headers). */
export function renderStatusPage (status: NodeStatus, info: StatusPageInfo): string {
  const latencyMs = new Map(status.routingTable.map((entry) => [entry.address, entry.latencyMs]))
  const guidByAddress = new Map(status.leafSet.map((entry) => [entry.address, entry.guidHex]))
  const self = guidValue(status.guidHex)
  const preds = nearestFirst(status.leafSet.filter((entry) => entry.side === 'pred'), self, 'pred')
  const succs = nearestFirst(status.leafSet.filter((entry) => entry.side === 'succ'), self, 'succ')
  const title = escapeHtml(status.address)
  return '<html>\n<head>\n' +
    `<title>Bamboo Node ${title}</title>\n<style type="text/css">\n` +
    'body { margin-top:  1em; margin-bottom: 1em;\nmargin-left: 1em; margin-right:  1em; }\n' +
    '</style>\n</head>\n<body>\n<center><h2>Bamboo Node Status Page</h2>\n<table>\n' +
    '<tr><td width="40%" align="center"><h3>Node Info</h3></td>\n<td width="10%"> </td>\n' +
    '<td width="50%" align="center"><h3>Leaf Set</h3></td>\n' +
    '</tr>\n<tr><td align="center" valign="top">\n<table>\n' +
    nodeInfoRows(status, info, preds, succs) +
    '</table>\n</td><td> </td><td valign="top"><table width="100%">\n' +
    '<tr><td align="center"><em>Position</em></td><td align="center"><em>IP Address</em></td>' +
    '<td align="center"><em>Port</em></td><td align="center"><em>ID</em></td>' +
    '<td align="center"><em>RTT (ms)</em></td></tr>\n' +
    leafSetRows(preds, succs, latencyMs) +
    '</table>\n</td></tr></table>\n' +
    '<p><p>\n<table width="50%">\n<tr>\n<td><h3 align="center">Routing Table</h3></td>\n</tr>\n<tr>\n<td>\n' +
    '<table width="100%"><tr><td align="center"><em>Level</em></td><td align="center"><em>Digit</em></td>' +
    '<td align="center"><em>IP Address</em></td><td align="center"><em>Port</em></td>' +
    '<td align="center"><em>ID</em></td><td align="center"><em>RTT (ms)</em></td></tr>\n' +
    routingTableRows(status, guidByAddress) +
    '</table>\n</td>\n</tr>\n</table>\n</center>\n</body>\n</html>\n'
}

/** The whole HTTP answer to a GET, in ISO-8859-1. */
export function statusPageResponse (status: NodeStatus, info: StatusPageInfo): Uint8Array {
  return latin1Encode(STATUS_PAGE_HEADERS + renderStatusPage(status, info))
}
