/**
 * The gateway on a real TCP port, driven by Python's standard xmlrpc.client (the client OpenDHT's
 * own scripts used) and by raw sockets. The DHT behind it is an in-memory fake written here: a
 * map of key → tuples honouring TTLs, secret hashes (rm removes only with the right secret) and
 * placemark paging of at most ~1 KiB of values per answer.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import type { DhtClientApi, DhtStatus, GetRequest, GetResult, NodeStatus, PutRequest, RmRequest } from '../src/dht/dht-api.ts'
import type { Clock } from '../src/env/clock.ts'
import { silentLogger } from '../src/env/logger.ts'
import { SystemClock } from '../src/env/system-clock.ts'
import { startGateway, type Gateway } from '../src/gateway/gateway-server.ts'
import { STATUS_PAGE_HEADERS } from '../src/gateway/status-page.ts'

const CLIENT = fileURLToPath(new URL('support/opendht_client.py', import.meta.url))
const MAX_ANSWER_VALUE_BYTES = 1024
const PLACEMARK_BYTES = 77

const sha1 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(data).digest())
const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex')

interface Tuple { seq: number, value: Uint8Array, secretHash: Uint8Array | null, expiresAtMs: number }

/** A one-node DHT in memory, with OpenDHT's client-visible rules. */
class MemoryDht implements DhtClientApi {
  readonly #tuples = new Map<string, Tuple[]>()
  #seq = 0
  constructor (private readonly clock: Clock) {}

  #live (key: Uint8Array): Tuple[] {
    const id = hex(key).padStart(40, '0')
    const live = (this.#tuples.get(id) ?? []).filter((tuple) => tuple.expiresAtMs > this.clock.nowMs())
    this.#tuples.set(id, live)
    return live
  }

  async put (request: PutRequest): Promise<DhtStatus> {
    const tuples = this.#live(request.key)
    const expiresAtMs = this.clock.nowMs() + request.ttlS * 1000
    const same = tuples.find((tuple) => hex(tuple.value) === hex(request.value) &&
      hex(tuple.secretHash ?? new Uint8Array(0)) === hex(request.secretHash ?? new Uint8Array(0)))
    if (same !== undefined) same.expiresAtMs = Math.max(same.expiresAtMs, expiresAtMs)
    else tuples.push({ seq: ++this.#seq, value: request.value, secretHash: request.secretHash, expiresAtMs })
    return 0
  }

  async rm (request: RmRequest): Promise<DhtStatus> {
    const secretHash = hex(sha1(request.secret))
    const tuples = this.#live(request.key)
    const keep = tuples.filter((tuple) => !(tuple.secretHash !== null && hex(tuple.secretHash) === secretHash &&
      hex(sha1(tuple.value)) === hex(request.valueHash)))
    tuples.splice(0, tuples.length, ...keep)
    return 0
  }

  async get (request: GetRequest): Promise<GetResult> {
    const after = request.placemark.length === PLACEMARK_BYTES ? Number(Buffer.from(request.placemark).readBigUInt64BE(0)) : 0
    const candidates = this.#live(request.key).filter((tuple) => tuple.seq > after).sort((a, b) => a.seq - b.seq)
    const chosen: Tuple[] = []
    let answerBytes = 0
    for (const tuple of candidates) {
      if (chosen.length >= Math.max(1, request.maxValues & 0xffff)) break
      if (chosen.length > 0 && answerBytes + tuple.value.length > MAX_ANSWER_VALUE_BYTES) break
      chosen.push(tuple)
      answerBytes += tuple.value.length
    }
    const last = chosen[chosen.length - 1]
    const more = last !== undefined && candidates.length > chosen.length
    const placemark = new Uint8Array(more ? PLACEMARK_BYTES : 0)
    if (more) Buffer.from(placemark.buffer).writeBigUInt64BE(BigInt(last.seq), 0)
    return {
      values: chosen.map((tuple) => ({
        value: tuple.value,
        ttlRemainingS: Math.floor((tuple.expiresAtMs - this.clock.nowMs()) / 1000),
        secretHashAlgorithm: tuple.secretHash === null ? '' : 'SHA',
        secretHash: tuple.secretHash ?? new Uint8Array(0)
      })),
      placemark
    }
  }

  status (): NodeStatus {
    return {
      address: '127.0.0.1:5850',
      guidHex: '8000000000000000000000000000000000000000',
      leafSet: [
        { address: '127.0.0.1:5860', guidHex: '9000000000000000000000000000000000000000', side: 'succ' },
        { address: '127.0.0.1:5870', guidHex: '7000000000000000000000000000000000000000', side: 'pred' },
        { address: '10.0.0.<b>:1', guidHex: '6000000000000000000000000000000000000000', side: 'pred' }
      ],
      routingTable: [{ level: 0, digit: 9, address: '127.0.0.1:5860', latencyMs: 12.4 }],
      storedTuples: [...this.#tuples.values()].reduce((sum, tuples) => sum + tuples.length, 0),
      storedBytes: 1536
    }
  }
}

async function withGateway (run: (gateway: Gateway) => Promise<void>): Promise<void> {
  const clock = new SystemClock()
  const gateway = await startGateway({ host: '127.0.0.1', port: 0, api: new MemoryDht(clock), clock, log: silentLogger })
  try {
    await run(gateway)
  } finally {
    await gateway.close()
  }
}

/** Sends raw bytes, returns everything received until the server closes. */
async function exchange (gateway: Gateway, request: string | Uint8Array, options: { halfClose?: boolean } = {}): Promise<string> {
  return await new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = net.connect(gateway.address.port, gateway.address.host, () => {
      socket.write(request)
      if (options.halfClose === true) socket.end()
    })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    // A reset while we still write (the gateway dropped an oversize request) ends the exchange too.
    socket.on('error', () => {})
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
  })
}

test('Python xmlrpc.client against the gateway: put, get, paging, get_details, rm, ping, faults', async (t) => {
  await withGateway(async (gateway) => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('python3', [CLIENT, `http://${gateway.address.host}:${gateway.address.port}/`], { timeout: 60_000 }, (error, out, err) => {
        if (error !== null) reject(new Error(`${error.message}\n${err}`))
        else resolve(out)
      })
    })
    const out = JSON.parse(stdout)
    t.is(out.put, 0)
    t.deepEqual(out.get, ['red'])
    t.deepEqual(out.paging, { pages: [2, 2, 2], values: ['A400', 'B400', 'C400', 'D400', 'E400', 'F400'] })
    t.deepEqual(out.paging_maxvals_1, [1, 1, 1, 1, 1, 1])
    t.is(out.put_removable, 0)
    t.deepEqual(out.get_details, [['red', true, '', ''], ['blue', true, 'SHA', hex(sha1(Buffer.from('donttell')))]])
    t.is(out.rm_wrong_secret, 0)
    t.deepEqual(out.after_rm_wrong_secret, ['blue', 'red'])
    t.is(out.rm_right_secret, 0)
    t.deepEqual(out.after_rm_right_secret, ['red'])
    t.deepEqual(out.after_rm_unremovable, ['red'])
    t.deepEqual([out.before_expiry, out.after_expiry], [['gone soon'], []])
    t.regex(out.ping, /^127\.0\.0\.1:\d+, XML: Python-xmlrpc\/3\.\d+$/)
    const NSM = 'java.lang.NoSuchMethodException: '
    const APPENDED = 'java.lang.String, java.net.InetSocketAddress, bamboo.util.Curry$Thunk1'
    const faults: Record<string, string> = {
      key_too_long: 'java.lang.Exception: key is longer than 20 bytes',
      value_too_long: 'java.lang.Exception: value is longer than 1024 bytes',
      key_not_binary: `${NSM}bamboo.dht.Gateway$XmlRpcPutHandler.put(java.lang.String, [B, int, java.lang.String, ${APPENDED})`,
      ttl_as_string: `${NSM}bamboo.dht.Gateway$XmlRpcPutHandler.put([B, [B, java.lang.String, java.lang.String, ${APPENDED})`,
      unknown_method: 'java.lang.Exception: no such handler: store',
      unknown_algorithm: 'java.lang.Exception: unknown secret hash algorithm: "MD5"',
      secret_hash_too_long: 'java.lang.Exception: secret hash is longer than 20 bytes',
      value_hash_too_long: 'java.lang.Exception: value_hash is longer than 20 bytes',
      secret_too_long: 'java.lang.Exception: secret is longer than 40 bytes',
      placemark_too_long: 'java.lang.Exception: placemark is longer than 77 bytes',
      no_arguments: `${NSM}bamboo.dht.Gateway$XmlRpcGetHandler.get(${APPENDED})`
    }
    for (const [name, faultString] of Object.entries(faults)) t.deepEqual(out.faults[name], { code: 0, string: faultString }, name)
    t.like(gateway.stats, { faults: Object.keys(faults).length, badRequests: 0, timeouts: 0 })
  })
})

test('raw socket: the exact bytes of one answer, and a half-closed client still gets it', async (t) => {
  await withGateway(async (gateway) => {
    const body = '<?xml version="1.0"?><methodCall><methodName>put</methodName><params>' +
      '<param><value><base64>a2V5</base64></value></param><param><value><base64>dmFsdWU=</base64></value></param>' +
      '<param><value><int>60</int></value></param><param><value><string>raw</string></value></param></params></methodCall>'
    const request = `POST / HTTP/1.0\r\nContent-Length: ${body.length}\r\n\r\n${body}`
    const expected = 'HTTP/1.0 200 OK\r\nDate: Wed, 19 Nov 2003 01:49:00 GMT\r\nServer: bamboo\r\nConnection: close\r\n' +
      'Content-Type: text/xml\r\nContent-Length: 135\r\n\r\n' +
      '<?xml version="1.0" encoding="ISO-8859-1"?><methodResponse><params><param><value><int>0</int></value></param></params></methodResponse>'
    t.is(await exchange(gateway, request), expected)
    t.is(await exchange(gateway, request, { halfClose: true }), expected)
  })
})

test('raw socket: GET returns the HTML status page, escaped', async (t) => {
  await withGateway(async (gateway) => {
    const page = await exchange(gateway, 'GET / HTTP/1.0\r\n\r\n')
    t.true(page.startsWith(STATUS_PAGE_HEADERS))
    t.true(page.includes('<tr><td><em>ID:</em></td><td></td><td>0x80000000</td></tr>'))
    t.true(page.includes('<tr><td><em>Current Storage:</em></td><td></td><td>1.5 KBs</td></tr>'))
    t.true(page.includes('<tr><td align="center">-2</td><td align="center"><a href="http://10.0.0.&lt;b&gt;:2/">10.0.0.&lt;b&gt;</a></td>'))
    t.true(page.includes('<tr><td align="center">-1</td><td align="center"><a href="http://127.0.0.1:5871/">127.0.0.1</a></td><td align="center">5870</td><td align="center">0x70000000</td><td align="center">??</td></tr>'))
    t.true(page.includes('<tr><td align="center">1</td><td align="center"><a href="http://127.0.0.1:5861/">127.0.0.1</a></td><td align="center">5860</td><td align="center">0x90000000</td><td align="center">12</td></tr>'))
    t.true(page.includes('<tr><td align="center">0</td><td align="center">9</td><td align="center"><a href="http://127.0.0.1:5861/">127.0.0.1</a></td><td align="center">5860</td><td align="center">0x90000000</td><td align="center">12</td></tr>'))
    t.false(page.includes('<b>'))
    t.is(gateway.stats.statusPages, 1)
  })
})

test('raw socket: garbage, oversize bodies and vanishing clients are dropped; the gateway keeps serving', async (t) => {
  await withGateway(async (gateway) => {
    t.is(await exchange(gateway, 'POST / HTTP/1.0\r\nContent-Length: 11\r\n\r\nhello world'), '')
    t.is(await exchange(gateway, '\x00\x01\x02garbage\r\n\r\n'), '')
    t.is(await exchange(gateway, 'POST / HTTP/1.0\r\nContent-Length: 99999999\r\n\r\n'), '')
    t.is(await exchange(gateway, 'POST / HTTP/1.0\r\nContent-Length: 100\r\n\r\n<meth', { halfClose: true }), '')
    const huge = new Uint8Array(200_000).fill(65)
    t.is(await exchange(gateway, huge), '')
    const ping = '<methodCall><methodName>ping</methodName></methodCall>'
    const answer = await exchange(gateway, `POST / HTTP/1.0\r\nUser-Agent: raw\r\nContent-Length: ${ping.length}\r\n\r\n${ping}`)
    t.regex(answer, /<value>127\.0\.0\.1:\d+, XML: raw<\/value>/)
    t.like(gateway.stats, { badRequests: 4, disconnects: 1, requests: 1 })
  })
})
