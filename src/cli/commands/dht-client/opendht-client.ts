/**
 * An OpenDHT client over XML-RPC (what Bamboo's put.py, get.py and rm.py did): one HTTP POST per
 * call to a gateway, the answer parsed into a value or a fault. Used by `xest put|get|rm`, the
 * ring check and the gateway benchmark. Never retries; every failure is an Error that says what
 * happened (refused, timed out, closed without an answer, HTTP status, unreadable XML, fault).
 */
import http from 'node:http'
import { formatMethodCall } from '../../../gateway/xmlrpc-call-format.ts'
import type { XmlRpcResult } from '../../../gateway/xmlrpc-format.ts'
import { parseMethodResponse, type XmlRpcValue } from '../../../gateway/xmlrpc-parse.ts'

export const STATUS_NAMES = ['Success', 'Capacity', 'Again'] as const

export class XmlRpcFault extends Error {
  override name = 'XmlRpcFault'
  constructor (readonly faultCode: number, readonly faultString: string) {
    super(`the gateway answered with a fault: ${faultString}`)
  }
}

export interface GetPage {
  values: Array<{ value: Uint8Array, ttlRemainingS?: number, secretHashAlgorithm?: string, secretHash?: Uint8Array }>
  placemark: Uint8Array
}

const bin = (value: Uint8Array): XmlRpcResult => ({ kind: 'base64', value })
const str = (value: string): XmlRpcResult => ({ kind: 'string', value })
const int = (value: number): XmlRpcResult => ({ kind: 'int', value })

export class OpenDhtClient {
  readonly #agent: http.Agent
  constructor (readonly host: string, readonly port: number, readonly timeoutMs = 60_000) {
    this.#agent = new http.Agent({ keepAlive: false, maxSockets: 64 })
  }

  async call (methodName: string, params: readonly XmlRpcResult[]): Promise<XmlRpcValue> {
    const body = formatMethodCall(methodName, params)
    const response = await this.#post(body)
    const parsed = parseMethodResponse(response)
    if (!parsed.ok) throw new Error(`unreadable answer from ${this.host}:${this.port}: ${parsed.error.message}`)
    if ('fault' in parsed) throw new XmlRpcFault(parsed.fault.code, parsed.fault.string)
    return parsed.value
  }

  async put (key: Uint8Array, value: Uint8Array, ttlS: number, application: string, secretHash: Uint8Array | null = null): Promise<number> {
    const answer = secretHash === null
      ? await this.call('put', [bin(key), bin(value), int(ttlS), str(application)])
      : await this.call('put_removable', [bin(key), bin(value), str('SHA'), bin(secretHash), int(ttlS), str(application)])
    return expectInt(answer)
  }

  async rm (key: Uint8Array, valueHash: Uint8Array, secret: Uint8Array, ttlS: number, application: string): Promise<number> {
    return expectInt(await this.call('rm', [bin(key), bin(valueHash), str('SHA'), bin(secret), int(ttlS), str(application)]))
  }

  async get (key: Uint8Array, maxValues: number, placemark: Uint8Array, application: string, details = false): Promise<GetPage> {
    const answer = await this.call(details ? 'get_details' : 'get', [bin(key), int(maxValues), bin(placemark), str(application)])
    if (answer.kind !== 'array' || answer.value.length !== 2) throw new Error('a get answer is [values, placemark]')
    const [values, mark] = answer.value
    if (values?.kind !== 'array' || mark?.kind !== 'base64') throw new Error('a get answer is [values, placemark]')
    return {
      placemark: mark.value,
      values: values.value.map((v) => {
        if (!details) {
          if (v?.kind !== 'base64') throw new Error('a get value is base64')
          return { value: v.value }
        }
        if (v?.kind !== 'array' || v.value.length !== 4) throw new Error('a get_details value is [value, ttl, algorithm, hash]')
        const [value, ttl, algorithm, hash] = v.value
        if (value?.kind !== 'base64' || ttl?.kind !== 'int' || algorithm?.kind !== 'string' || hash?.kind !== 'base64') {
          throw new Error('a get_details value is [value, ttl, algorithm, hash]')
        }
        return { value: value.value, ttlRemainingS: ttl.value, secretHashAlgorithm: algorithm.value, secretHash: hash.value }
      })
    }
  }

  /** Every value under `key`, following placemarks as get.py did. */
  async getAll (key: Uint8Array, maxValues: number, application: string, details = false, maxPages = 10_000): Promise<GetPage['values']> {
    const all: GetPage['values'] = []
    let placemark: Uint8Array = new Uint8Array(0)
    for (let page = 0; page < maxPages; page++) {
      const answer = await this.get(key, maxValues, placemark, application, details)
      all.push(...answer.values)
      if (answer.placemark.length === 0) return all
      placemark = answer.placemark
    }
    throw new Error(`more than ${maxPages} pages of values`)
  }

  async ping (): Promise<string> {
    const answer = await this.call('ping', [])
    if (answer.kind !== 'string') throw new Error('a ping answer is a string')
    return answer.value
  }

  close (): void {
    this.#agent.destroy()
  }

  async #post (body: Uint8Array): Promise<Uint8Array> {
    const where = `${this.host}:${this.port}`
    return await new Promise((resolve, reject) => {
      const request = http.request({
        host: this.host, port: this.port, method: 'POST', path: '/', agent: this.#agent,
        headers: { 'Content-Type': 'text/xml', 'Content-Length': body.length, 'User-Agent': 'xest' }
      }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', (error) => reject(new Error(`reading the answer from ${where} failed`, { cause: error })))
        response.on('end', () => {
          if (response.statusCode !== 200) reject(new Error(`${where} answered HTTP ${response.statusCode ?? '?'}`))
          else resolve(new Uint8Array(Buffer.concat(chunks)))
        })
      })
      request.setTimeout(this.timeoutMs, () => request.destroy(new Error(`no answer from ${where} within ${this.timeoutMs} ms`)))
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED') reject(new Error(`no gateway listens on ${where}`))
        else if (error.code === 'ECONNRESET' || error.message === 'socket hang up') reject(new Error(`${where} closed the connection without an answer (a request Bamboo's gateway refuses)`))
        else reject(error)
      })
      request.end(body)
    })
  }
}

function expectInt (answer: XmlRpcValue): number {
  if (answer.kind !== 'int') throw new Error(`expected an int status, got ${answer.kind}`)
  return answer.value
}
