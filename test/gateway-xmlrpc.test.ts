/**
 * The XML-RPC gateway without sockets: exact answer bytes for every method and fault (golden
 * vectors produced by running Bamboo's own stack — WebInterface's request path over the shipped
 * xmlrpc-1.2-b1.jar, with Java 5's ", " in NoSuchMethodException texts), the lenient parser,
 * base64 quirks, HTTP framing, and the per-connection deadline on a fake clock.
 */
import test from 'ava'
import type { DhtClientApi, GetRequest, GetResult, PutRequest, RmRequest } from '../src/dht/dht-api.ts'
import type { Clock, Timer } from '../src/env/clock.ts'
import { silentLogger } from '../src/env/logger.ts'
import type { TcpConnection } from '../src/env/tcp-listener.ts'
import { createGatewayHandler, newGatewayStats, type GatewayOptions } from '../src/gateway/gateway-server.ts'
import { HttpRequestReader } from '../src/gateway/http-request.ts'
import { decodeBase64Lenient, encodeBase64Lines } from '../src/gateway/xmlrpc-base64.ts'
import { formatMethodCall } from '../src/gateway/xmlrpc-call-format.ts'
import { formatFaultBody, formatResponseBody } from '../src/gateway/xmlrpc-format.ts'
import { parseMethodCall, parseMethodResponse, type XmlRpcValue } from '../src/gateway/xmlrpc-parse.ts'

// ---------- helpers ----------

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))
const text = (data: Uint8Array): string => String.fromCharCode(...data)

type Param = number | string | boolean | { b64: Uint8Array | string } | { double: number } | { date: string } | Param[] | { struct: Record<string, Param> }

/** A methodCall as Python's xmlrpc.client writes it. */
function methodCall (method: string, ...params: Param[]): string {
  const value = (p: Param): string => {
    if (typeof p === 'number') return `<value><int>${p}</int></value>`
    if (typeof p === 'string') return `<value><string>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</string></value>`
    if (typeof p === 'boolean') return `<value><boolean>${p ? 1 : 0}</boolean></value>`
    if (Array.isArray(p)) return `<value><array><data>\n${p.map(value).join('\n')}\n</data></array></value>`
    if ('b64' in p) return `<value><base64>\n${encodeBase64Lines(typeof p.b64 === 'string' ? bytes(p.b64) : p.b64)}</base64></value>`
    if ('double' in p) return `<value><double>${p.double}</double></value>`
    if ('date' in p) return `<value><dateTime.iso8601>${p.date}</dateTime.iso8601></value>`
    return `<value><struct>\n${Object.entries(p.struct).map(([k, v]) => `<member>\n<name>${k}</name>\n${value(v)}\n</member>`).join('\n')}\n</struct></value>`
  }
  return `<?xml version='1.0'?>\n<methodCall>\n<methodName>${method}</methodName>\n<params>\n` +
    params.map((p) => `<param>\n${value(p)}\n</param>\n`).join('') + '</params>\n</methodCall>\n'
}

function post (body: string, userAgent: string | null = 'Python-xmlrpc/3.11'): Uint8Array {
  return bytes(`POST /RPC2 HTTP/1.0\r\nHost: 127.0.0.1\r\n${userAgent === null ? '' : `User-Agent: ${userAgent}\r\n`}` +
    `Content-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
}

const PROLOG = '<?xml version="1.0" encoding="ISO-8859-1"?>'
const httpXml = (body: string): string => 'HTTP/1.0 200 OK\r\nDate: Wed, 19 Nov 2003 01:49:00 GMT\r\nServer: bamboo\r\n' +
  `Connection: close\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n${body}`
const ok = (inner: string): string => `${PROLOG}<methodResponse><params><param>${inner}</param></params></methodResponse>`
const fault = (faultString: string): string => `${PROLOG}<methodResponse><fault><value><struct><member><name>faultString</name>` +
  `<value>${faultString}</value></member><member><name>faultCode</name><value><int>0</int></value></member></struct></value></fault></methodResponse>`

/** The oracle's canned DHT: status for put/rm; 'two' = two values and a 77-byte placemark. */
class FakeApi implements DhtClientApi {
  readonly calls: Array<PutRequest | GetRequest | RmRequest> = []
  constructor (private readonly statusCode: 0 | 1 | 2 = 0, private readonly values: 'empty' | 'two' = 'empty') {}
  async put (request: PutRequest): Promise<0 | 1 | 2> { this.calls.push(request); return this.statusCode }
  async rm (request: RmRequest): Promise<0 | 1 | 2> { this.calls.push(request); return this.statusCode }
  async get (request: GetRequest): Promise<GetResult> {
    this.calls.push(request)
    if (this.values === 'empty') return { values: [], placemark: new Uint8Array(0) }
    return {
      values: [
        { value: bytes('hello'), ttlRemainingS: 3600, secretHashAlgorithm: 'SHA', secretHash: Uint8Array.from({ length: 20 }, (_, i) => i + 1) },
        { value: bytes('world!'), ttlRemainingS: 59, secretHashAlgorithm: '', secretHash: new Uint8Array(0) }
      ],
      placemark: Uint8Array.from({ length: 77 }, (_, i) => (i * 7) & 0xff)
    }
  }

  status (): never { throw new Error('no status in this test') }
}

class FakeClock implements Clock {
  nowMsValue = 0
  readonly timers: Array<{ atMs: number, fire: () => void, cancelled: boolean }> = []
  nowMs (): number { return this.nowMsValue }
  setTimer (delayMs: number, fire: () => void): Timer {
    const timer = { atMs: this.nowMsValue + delayMs, fire, cancelled: false }
    this.timers.push(timer)
    return { cancel: () => { timer.cancelled = true } }
  }

  advance (ms: number): void {
    this.nowMsValue += ms
    for (const timer of [...this.timers]) {
      if (!timer.cancelled && timer.atMs <= this.nowMsValue) { timer.cancelled = true; timer.fire() }
    }
  }
}

class FakeConnection implements TcpConnection {
  readonly remote = { host: '127.0.0.1', port: 54321 }
  readonly written: Uint8Array[] = []
  ended = false
  destroyed = false
  write (data: Uint8Array): void { this.written.push(data) }
  end (): void { this.ended = true }
  destroy (): void { this.destroyed = true }
  get output (): string { return this.written.map(text).join('') }
}

const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve() }

function harness (api: DhtClientApi = new FakeApi(), options: GatewayOptions = {}) {
  const clock = new FakeClock()
  const stats = newGatewayStats()
  const accept = createGatewayHandler({ api, clock, log: silentLogger }, options, stats)
  const open = () => {
    const connection = new FakeConnection()
    return { connection, handler: accept(connection) }
  }
  return { clock, stats, open }
}

async function answer (request: Uint8Array, api: DhtClientApi = new FakeApi()): Promise<FakeConnection> {
  const { open } = harness(api)
  const { connection, handler } = open()
  handler.onData(request)
  await settle()
  return connection
}

// ---------- golden answers ----------

const k20 = { b64: 'k'.repeat(20) }
const NSM = 'java.lang.NoSuchMethodException: '
const golden: Array<{ name: string, request: Uint8Array, api?: FakeApi, body: string }> = [
  { name: 'put ok', request: post(methodCall('put', k20, { b64: 'v' }, 3600, 'app')), body: ok('<value><int>0</int></value>') },
  { name: 'put AGAIN', request: post(methodCall('put', { b64: 'key' }, { b64: 'value' }, 60, 'app')), api: new FakeApi(2), body: ok('<value><int>2</int></value>') },
  { name: 'put_removable ok', request: post(methodCall('put_removable', { b64: 'k' }, { b64: 'v'.repeat(1024) }, 'SHA', { b64: 'h'.repeat(20) }, 999999999, 'app')), body: ok('<value><int>0</int></value>') },
  { name: 'rm ok', request: post(methodCall('rm', { b64: 'k' }, { b64: 'h'.repeat(20) }, 'SHA', { b64: 's'.repeat(40) }, 3600, 'app')), body: ok('<value><int>0</int></value>') },
  { name: 'get, nothing there', request: post(methodCall('get', { b64: 'k' }, 10, { b64: '' }, 'app')), body: ok('<value><array><data><value><array><data></data></array></value><value><base64></base64></value></data></array></value>') },
  {
    name: 'get, two values',
    request: post(methodCall('get', { b64: 'k' }, 10, { b64: '' }, 'app')),
    api: new FakeApi(0, 'two'),
    body: ok('<value><array><data><value><array><data><value><base64>aGVsbG8=\n</base64></value><value><base64>d29ybGQh\n</base64></value></data></array></value><value><base64>AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71/AMKERgfJi00O0JJUFdeZWxzeoGI\nj5adpKuyucDHztXc4+rx+P8GDRQ=\n</base64></value></data></array></value>')
  },
  {
    name: 'get_details, two values',
    request: post(methodCall('get_details', { b64: 'k' }, 10, { b64: new Uint8Array(77) }, 'app')),
    api: new FakeApi(0, 'two'),
    body: ok('<value><array><data><value><array><data><value><array><data><value><base64>aGVsbG8=\n</base64></value><value><int>3600</int></value><value>SHA</value><value><base64>AQIDBAUGBwgJCgsMDQ4PEBESExQ=\n</base64></value></data></array></value><value><array><data><value><base64>d29ybGQh\n</base64></value><value><int>59</int></value><value></value><value><base64></base64></value></data></array></value></data></array></value><value><base64>AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71/AMKERgfJi00O0JJUFdeZWxzeoGI\nj5adpKuyucDHztXc4+rx+P8GDRQ=\n</base64></value></data></array></value>')
  },
  { name: 'ping', request: post(methodCall('ping')), body: ok('<value>127.0.0.1:54321, XML: Python-xmlrpc/3.11</value>') },
  { name: 'ping without User-Agent', request: post(methodCall('ping'), null), body: ok('<value>127.0.0.1:54321, XML: unknown</value>') },
  { name: 'ping, control char in User-Agent', request: post(methodCall('ping'), 'x\u0001y'), body: fault('org.apache.xmlrpc.XmlRpcException: Invalid character data corresponding to XML entity &amp;#1;') },
  { name: 'key too long', request: post(methodCall('put', { b64: 'k'.repeat(21) }, { b64: 'v' }, 3600, 'app')), body: fault('java.lang.Exception: key is longer than 20 bytes') },
  { name: 'value too long', request: post(methodCall('put', { b64: 'k' }, { b64: 'v'.repeat(1025) }, 3600, 'app')), body: fault('java.lang.Exception: value is longer than 1024 bytes') },
  { name: 'unknown algorithm', request: post(methodCall('put_removable', { b64: 'k' }, { b64: 'v' }, 'MD5', { b64: 'h' }, 3600, 'app')), body: fault('java.lang.Exception: unknown secret hash algorithm: "MD5"') },
  { name: 'secret hash too long', request: post(methodCall('put_removable', { b64: 'k' }, { b64: 'v' }, 'SHA', { b64: 'h'.repeat(21) }, 3600, 'app')), body: fault('java.lang.Exception: secret hash is longer than 20 bytes') },
  { name: 'value_hash too long', request: post(methodCall('rm', { b64: 'k' }, { b64: 'h'.repeat(21) }, 'SHA', { b64: 's' }, 3600, 'app')), body: fault('java.lang.Exception: value_hash is longer than 20 bytes') },
  { name: 'rm, unknown algorithm', request: post(methodCall('rm', { b64: 'k' }, { b64: 'h'.repeat(20) }, 'sha', { b64: 's' }, 3600, 'app')), body: fault('java.lang.Exception: unknown secret hash algorithm: "sha"') },
  { name: 'secret too long', request: post(methodCall('rm', { b64: 'k' }, { b64: 'h'.repeat(20) }, 'SHA', { b64: 's'.repeat(41) }, 3600, 'app')), body: fault('java.lang.Exception: secret is longer than 40 bytes') },
  { name: 'placemark too long', request: post(methodCall('get', { b64: 'k' }, 10, { b64: 'p'.repeat(78) }, 'app')), body: fault('java.lang.Exception: placemark is longer than 77 bytes') },
  { name: 'placemark shorter than a Key', request: post(methodCall('get_details', { b64: 'k' }, 10, { b64: 'p'.repeat(57) }, 'app')), body: fault('java.lang.reflect.InvocationTargetException') },
  { name: 'empty key', request: post(methodCall('put', { b64: '' }, { b64: 'v' }, 3600, 'app')), body: fault('java.lang.reflect.InvocationTargetException') },
  { name: 'no such handler', request: post(methodCall('store', { b64: 'k' })), body: fault('java.lang.Exception: no such handler: store') },
  { name: 'wrong types', request: post(methodCall('put', { b64: 'k' }, { b64: 'v' }, '3600', 'app')), body: fault(`${NSM}bamboo.dht.Gateway$XmlRpcPutHandler.put([B, [B, java.lang.String, java.lang.String, java.lang.String, java.net.InetSocketAddress, bamboo.util.Curry$Thunk1)`) },
  { name: 'no parameters', request: post(methodCall('get')), body: fault(`${NSM}bamboo.dht.Gateway$XmlRpcGetHandler.get(java.lang.String, java.net.InetSocketAddress, bamboo.util.Curry$Thunk1)`) },
  {
    name: 'struct, array, double, boolean, date',
    request: post(methodCall('ping', { struct: { a: 1 } }, [1], { double: 2.5 }, true, { date: '20050101T00:00:00' })),
    body: fault(`${NSM}bamboo.www.WebInterface$PingHandler.ping(java.util.Hashtable, java.util.Vector, double, boolean, java.util.Date, java.lang.String, java.net.InetSocketAddress, bamboo.util.Curry$Thunk1)`)
  },
  {
    name: 'fault text Java could not write: empty body',
    request: post('<methodCall><methodName>put_removable</methodName><params><param><value><base64>aw==</base64></value></param><param><value><base64>dg==</base64></value></param><param><value>&#8364;</value></param><param><value><base64>aA==</base64></value></param><param><value><int>3600</int></value></param><param><value>app</value></param></params></methodCall>'),
    body: ''
  },
  { name: 'Latin-1 echoed byte for byte', request: post(methodCall('rm', { b64: 'k' }, { b64: 'h' }, 'caf\u00c3\u00a9', { b64: 's' }, 3600, 'app')), body: fault('java.lang.Exception: unknown secret hash algorithm: "caf\u00c3\u00a9"') },
  {
    name: 'lenient: bare values, a lone <param>, untyped string, <i4> with spaces',
    request: post('<methodCall><methodName>put</methodName><value><base64>aGVsbG8=</base64></value><param><value><base64>d29ybGQ=</base64></value></param><value><i4> 60 </i4></value><value>app</value></methodCall>'),
    body: ok('<value><int>0</int></value>')
  }
]

for (const vector of golden) {
  test(`golden: ${vector.name}`, async (t) => {
    const connection = await answer(vector.request, vector.api)
    t.is(connection.output, httpXml(vector.body))
    t.true(connection.ended)
    t.false(connection.destroyed)
  })
}

test('the wire bytes of a put answer, literally', async (t) => {
  const connection = await answer(post(methodCall('put', k20, { b64: 'v' }, 3600, 'app')))
  t.is(connection.output,
    'HTTP/1.0 200 OK\r\nDate: Wed, 19 Nov 2003 01:49:00 GMT\r\nServer: bamboo\r\nConnection: close\r\n' +
    'Content-Type: text/xml\r\nContent-Length: 135\r\n\r\n' +
    '<?xml version="1.0" encoding="ISO-8859-1"?><methodResponse><params><param><value><int>0</int></value></param></params></methodResponse>')
})

test('what reaches the DHT: TTL capped, key and value as sent, client host, secret hash', async (t) => {
  const api = new FakeApi()
  await answer(post(methodCall('put_removable', { b64: 'k' }, { b64: 'v' }, 'SHA', { b64: 'h'.repeat(20) }, 999999999, 'app')), api)
  await answer(post(methodCall('put', { b64: 'k' }, { b64: 'v' }, -5, 'a<b')), api)
  await answer(post(methodCall('get', { b64: 'k' }, 2147483646, { b64: new Uint8Array(77) }, 'g')), api)
  t.deepEqual(api.calls, [
    { key: bytes('k'), value: bytes('v'), ttlS: 604800, secretHash: bytes('h'.repeat(20)), application: 'app', clientHost: '127.0.0.1' },
    { key: bytes('k'), value: bytes('v'), ttlS: -5, secretHash: null, application: 'a<b', clientHost: '127.0.0.1' },
    { key: bytes('k'), maxValues: 2147483646, placemark: new Uint8Array(77), application: 'g', clientHost: '127.0.0.1' }
  ])
})

test('a rejected DHT promise becomes a fault, counted', async (t) => {
  const api = new FakeApi()
  api.put = async () => { throw new Error('boom') }
  const { open, stats } = harness(api)
  const { connection, handler } = open()
  handler.onData(post(methodCall('put', { b64: 'k' }, { b64: 'v' }, 1, 'a')))
  await settle()
  t.is(connection.output, httpXml(fault('java.lang.Exception: DHT request failed')))
  t.like(stats, { requests: 1, faults: 1, apiErrors: 1 })
})

test('a fault longer than Java\'s 8 KiB encoder buffer keeps the flushed part', (t) => {
  const body = formatFaultBody(`x${'a'.repeat(9000)}\u0001`)
  t.is(body.length, 8192)
  t.true(text(body).startsWith(`${PROLOG}<methodResponse><fault>`))
})

// ---------- parser ----------

const parse = (xml: string): ReturnType<typeof parseMethodCall> => parseMethodCall(bytes(xml))
const paramsOf = (xml: string): XmlRpcValue[] | string => {
  const result = parse(xml)
  return result.ok ? [...result.call.params] : result.error.kind
}
const M = '<methodCall><methodName>ping</methodName>'
const str = (value: string): XmlRpcValue => ({ kind: 'string', value })

test('parser leniency, as MinML + Apache XML-RPC 1.2 read it', (t) => {
  t.deepEqual(paramsOf(`${M}<value>  a b </value></methodCall>`), [str('  a b ')])
  t.deepEqual(paramsOf(`${M}<value>   </value><value/><value><nil/></value></methodCall>`), [str(''), str(''), str('')])
  t.deepEqual(paramsOf(`${M}<value>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#X41;</value></methodCall>`), [str('<>&"\'AB\uffc5')])
  t.deepEqual(paramsOf(`${M}<value>a<![CDATA[<b>&amp;]]> c\r\nd\re</value></methodCall>`), [str('a<b>&amp; c\nd\ne')])
  t.deepEqual(paramsOf(`${M}<value>lost<!-- c --><int>5</int></value></methodCall>`), [{ kind: 'int', value: 5 }])
  t.deepEqual(paramsOf(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><!-- c -->${M}<?pi x?><value><i4>-7</i4></value></methodCall>trailing junk`), [{ kind: 'int', value: -7 }])
  t.deepEqual(paramsOf(`${M}<value><boolean> 1 </boolean></value><value><boolean>yes</boolean></value><value><double>1e5f</double></value></methodCall>`),
    [{ kind: 'boolean', value: true }, { kind: 'boolean', value: false }, { kind: 'double', value: 1e5 }])
  t.deepEqual(paramsOf(`${M}<value><array><data><value>x</value><value><value>y</value></value></data></array></value></methodCall>`),
    [{ kind: 'array', value: [str('x'), null] }])
  t.deepEqual(paramsOf(`${M}<value><struct><member><name>k</name><value><int>1</int></value></member></struct></value></methodCall>`),
    [{ kind: 'struct', value: new Map([['k', { kind: 'int', value: 1 }]]) }])
  t.deepEqual(paramsOf(`${M}<value a="1" b='&lt;'><int>+5</int></value></methodCall>`), [{ kind: 'int', value: 5 }])
  const named = parse('<x><methodName>a<b/>c</methodName></x>')
  t.is(named.ok && named.call.methodName, 'a>c', 'MinML reads the ">" of an empty tag in mixed content as text')
})

test('parser refusals: Bamboo closed the connection without an answer', (t) => {
  const refusals: Array<[string, string]> = [
    ['', 'no-method-name'],
    ['hello', 'xml'],
    ['\u00ef\u00bb\u00bf<methodCall/>', 'xml'],
    [`${M}</methodCal>`, 'xml'],
    [`${M}<value>x</value>`, 'xml'],
    [`${M}<value>a\u0001</value></methodCall>`, 'xml'],
    [`${M}<value>&foo;</value></methodCall>`, 'xml'],
    [`${M}<value>&#;</value></methodCall>`, 'xml'],
    [`${M}<value>a & b</value></methodCall>`, 'xml'],
    [`${M}<value>a<!-- c -->b</value></methodCall>`, 'xml'],
    [`${M}<value>a<?pi?></value></methodCall>`, 'xml'],
    [`<methodCall a=1>${M}</methodCall>`, 'xml'],
    [`${M}<value><int>x</int></value></methodCall>`, 'value'],
    [`${M}<value><int>2147483648</int></value></methodCall>`, 'value'],
    [`${M}<value><double>inf</double></value></methodCall>`, 'value'],
    [`${M}<value><dateTime.iso8601>2005-01-01</dateTime.iso8601></value></methodCall>`, 'value'],
    [`${M}<value><base64>a===</base64></value></methodCall>`, 'value'],
    [`${M}<value><base64>aGVs\u00e9bG8=</base64></value></methodCall>`, 'value'],
    [`${M}<int>5</int></methodCall>`, 'structure'],
    [`${M}<value><struct><member><value>1</value></member></struct></value></methodCall>`, 'structure'],
    [`${M}<value><value>x</value></value></methodCall>`, 'null-parameter'],
    ['<methodCall><params/></methodCall>', 'no-method-name']
  ]
  for (const [xml, kind] of refusals) t.is(paramsOf(xml), kind, JSON.stringify(xml))
})

test('base64 as Apache XML-RPC 1.2 encoded and decoded it', (t) => {
  const seq = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i)
  t.is(encodeBase64Lines(new Uint8Array(0)), '')
  t.is(encodeBase64Lines(seq(3)), 'AAEC\n')
  t.is(encodeBase64Lines(seq(57)).length, 77)
  t.is(encodeBase64Lines(seq(58)), 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\nOQ==\n')
  const hex = (s: string): string | null => { const d = decodeBase64Lenient(s); return d === null ? null : Buffer.from(d).toString('hex') }
  const decodings: Array<[string, string | null]> = [
    ['aGVsbG8=', '68656c6c6f'], ['aG\nVs\r\nbG8=', '68656c6c6f'], ['aGV$sbG8=', '68656c6c6f'], ['aGVsbG8', '68656c000000'],
    ['a', '00'], ['', ''], ['====', ''], ['aGVsbG8=aGVs', '68656c6c6f0068656c'], ['=aGVsbG8', 'fda195b1b1bc'], ['A=B=', 'fff0'],
    ['ABC=D', '00100000'], ['aGVsbB==', '68656c6c'], ['-_-_', ''], ['a===', null], ['aGVs\u00e9', null], ['aGVs\u20acbG8=', '68656c6c6f']
  ]
  for (const [input, expected] of decodings) t.is(hex(input), expected, JSON.stringify(input))
})

// ---------- HTTP framing ----------

test('HTTP reader: complete requests, byte by byte, and Bamboo\'s header rules', (t) => {
  const request = post(methodCall('ping'))
  const reader = new HttpRequestReader()
  let progress = reader.push(new Uint8Array(0))
  for (const b of request) progress = reader.push(Uint8Array.of(b))
  t.like(progress, { kind: 'post', userAgent: 'XML: Python-xmlrpc/3.11' })
  t.like(new HttpRequestReader().push(bytes('GET /anything HTTP/1.1\r\n\r\n')), { kind: 'get' })
  t.like(new HttpRequestReader().push(bytes('POST / HTTP/1.0\r\ncOnTeNt-LeNgTh:  2 \r\nuser-agent:   a b  \r\n\r\nxy')), { kind: 'post', userAgent: 'XML: a b', body: bytes('xy') })
  t.like(new HttpRequestReader().push(bytes('POST / HTTP/1.0\nContent-Length: 0\n\n')), { kind: 'incomplete' }, 'bare LF ends no line')
  t.like(new HttpRequestReader().push(bytes('POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\nxy')), { kind: 'incomplete' })
})

test('HTTP reader: framing errors', (t) => {
  const errorOf = (raw: string, limits = {}): string | undefined => {
    const progress = new HttpRequestReader(limits).push(bytes(raw))
    return progress.kind === 'error' ? `${progress.error.kind} ${progress.error.statusCode}` : progress.kind
  }
  t.is(errorOf('POST / HTTP/1.0\r\n\r\n<x/>'), 'missing-content-length 411')
  t.is(errorOf('POST / HTTP/1.0\r\nContent-Length: ten\r\n\r\n'), 'bad-content-length 400')
  t.is(errorOf('POST / HTTP/1.0\r\nContent-Length: -1\r\n\r\n'), 'bad-content-length 400')
  t.is(errorOf('POST / HTTP/1.0\r\nContent-Length: 70000\r\n\r\n'), 'body-too-large 413')
  t.is(errorOf('\r\n\r\n'), 'empty-request-line 400')
  t.is(errorOf('PUT / HTTP/1.0\r\n\r\n'), 'unsupported-method 501')
  t.is(errorOf('post / HTTP/1.0\r\n\r\n'), 'unsupported-method 501')
  t.is(errorOf(`POST / HTTP/1.0\r\nX: ${'a'.repeat(9000)}`), 'header-too-large 431')
  t.is(errorOf('POST / HTTP/1.0\r\nContent-Length: 11\r\n\r\n', { maxBodyBytes: 10 }), 'body-too-large 413')
})

// ---------- connections ----------

test('unreadable requests are dropped without an answer, as Bamboo did; or answered with a status when asked', async (t) => {
  for (const raw of ['POST / HTTP/1.0\r\n\r\n', 'DELETE / HTTP/1.0\r\n\r\n', `POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello`]) {
    const { open, stats } = harness()
    const { connection, handler } = open()
    handler.onData(bytes(raw))
    await settle()
    t.deepEqual([connection.output, connection.destroyed, stats.badRequests], ['', true, 1], raw)
  }
  const { open } = harness(new FakeApi(), { httpErrorResponses: true })
  const { connection, handler } = open()
  handler.onData(bytes('POST / HTTP/1.0\r\n\r\n'))
  t.regex(connection.output, /^HTTP\/1\.0 411 Length Required\r\n/)
  t.true(connection.ended)
})

test('deadline from accept: slowloris and silent clients are closed, counted as timeouts', (t) => {
  const { open, clock, stats } = harness()
  const silent = open()
  const slow = open()
  for (let s = 0; s < 59; s++) { slow.handler.onData(bytes('P')); clock.advance(1000) }
  t.false(slow.connection.destroyed)
  clock.advance(1000)
  t.true(silent.connection.destroyed)
  t.true(slow.connection.destroyed)
  t.is(stats.timeouts, 2)
  t.is(slow.connection.output, '')
})

test('the deadline is re-armed while the DHT call is outstanding, then the answer goes out', async (t) => {
  let release: (status: 0) => void = () => {}
  const api = new FakeApi()
  api.put = async () => await new Promise<0>((resolve) => { release = resolve })
  const { open, clock, stats } = harness(api)
  const { connection, handler } = open()
  handler.onData(post(methodCall('put', { b64: 'k' }, { b64: 'v' }, 1, 'a')))
  clock.advance(150_000)
  t.false(connection.destroyed)
  release(0)
  await settle()
  t.is(connection.output, httpXml(ok('<value><int>0</int></value>')))
  t.is(stats.timeouts, 0)
})

test('a client that leaves mid-request or mid-call is counted; nothing is written after', async (t) => {
  let release: (status: 0) => void = () => {}
  const api = new FakeApi()
  api.put = async () => await new Promise<0>((resolve) => { release = resolve })
  const { open, stats } = harness(api)
  const early = open()
  early.handler.onData(bytes('POST / HTTP/1.0\r\nContent-Length: 100\r\n\r\n<method'))
  early.handler.onEnd()
  t.true(early.connection.destroyed)
  const waiting = open()
  waiting.handler.onData(post(methodCall('put', { b64: 'k' }, { b64: 'v' }, 1, 'a')))
  waiting.handler.onClose()
  release(0)
  await settle()
  t.is(waiting.connection.output, '')
  t.is(stats.disconnects, 2)
})

test('one request per connection: bytes after a complete request are ignored', async (t) => {
  const connection = await (async () => {
    const { open } = harness()
    const { connection, handler } = open()
    handler.onData(post(methodCall('ping')))
    handler.onData(post(methodCall('ping')))
    await settle()
    return connection
  })()
  t.is(connection.written.length, 1)
})

test('client side: a formatted methodCall parses back; responses, faults and garbage are told apart', (t) => {
  const bytes = new Uint8Array([0, 1, 2, 250, 255])
  const call = parseMethodCall(formatMethodCall('put', [{ kind: 'base64', value: bytes }, { kind: 'int', value: 60 }, { kind: 'string', value: 'a<b&c' }]))
  t.true(call.ok)
  if (call.ok) t.deepEqual(call.call, { methodName: 'put', params: [{ kind: 'base64', value: bytes }, { kind: 'int', value: 60 }, { kind: 'string', value: 'a<b&c' }] })
  t.throws(() => formatMethodCall('put', [{ kind: 'string', value: 'snow ☃' }]), { instanceOf: RangeError })
  t.deepEqual(parseMethodResponse(formatResponseBody({ kind: 'array', value: [{ kind: 'array', value: [] }, { kind: 'base64', value: new Uint8Array(0) }] })),
    { ok: true, value: { kind: 'array', value: [{ kind: 'array', value: [] }, { kind: 'base64', value: new Uint8Array(0) }] } })
  t.deepEqual(parseMethodResponse(formatFaultBody('java.lang.Exception: key is longer than 20 bytes')),
    { ok: true, fault: { code: 0, string: 'java.lang.Exception: key is longer than 20 bytes' } })
  for (const garbage of ['', '<methodResponse><params>', '<methodResponse><fault><value><int>3</int></value></fault></methodResponse>', '\u0000\u0001']) {
    const parsed = parseMethodResponse(new TextEncoder().encode(garbage))
    t.false(parsed.ok, JSON.stringify(garbage))
  }
})
