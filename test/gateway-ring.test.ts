/**
 * OpenDHT clients against a real 8-node ring (`xest ring --nodes 8 --hold`, each node with its
 * XML-RPC gateway on UDP port + 1): Python's standard xmlrpc.client running the shipped
 * put/get/rm scenario through one node's gateway, then `xest put | get | rm` through others,
 * then each node's status page. Ports 47700–47716.
 */
import test from 'ava'
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import http from 'node:http'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../bin/xest.js', import.meta.url))
const CLIENT = fileURLToPath(new URL('support/opendht_client.py', import.meta.url))
const BASE_PORT = 47700
const gatewayOf = (i: number): string => `127.0.0.1:${BASE_PORT + 2 * i + 1}`
const sha1Hex = (text: string): string => createHash('sha1').update(text).digest('hex')

async function run (file: string, args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise((resolve) => {
    execFile(file, args, { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
  })
}
const xest = async (...args: string[]) => await run('node', [BIN, ...args])

test('Python xmlrpc.client and xest put/get/rm against a real 8-node ring', async (t) => {
  const ring = spawn('node', [BIN, 'ring', '--nodes', '8', '--base-port', String(BASE_PORT), '--lookups', '2', '--hold', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise((resolve) => ring.once('exit', resolve))
  t.teardown(async () => { ring.kill('SIGTERM'); await exited })
  let stdout = ''
  let stderr = ''
  ring.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  await new Promise<void>((resolve, reject) => {
    ring.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); if (stderr.includes('holding the ring')) resolve() })
    ring.once('exit', (code) => reject(new Error(`xest ring exited ${code}: ${stderr}`)))
  })
  const report = JSON.parse(stdout)
  t.like(report.gateways, { puts: 5, putOk: 5, reads: 8, readsComplete: 8 })

  // The scenario of test/support/opendht_client.py, through node 3's gateway, answers as Bamboo's.
  const python = await run('python3', [CLIENT, `http://${gatewayOf(3)}/`])
  t.is(python.code, 0, python.stderr)
  const out = JSON.parse(python.stdout)
  t.is(out.put, 0)
  t.deepEqual(out.get, ['red'])
  t.deepEqual(out.paging, { pages: [2, 2, 2], values: ['A400', 'B400', 'C400', 'D400', 'E400', 'F400'] }, '~1 KiB per answer: two 400-byte values')
  t.deepEqual(out.paging_maxvals_1, [1, 1, 1, 1, 1, 1])
  t.is(out.put_removable, 0)
  t.deepEqual(out.get_details.map((d: unknown[]) => d[0]).sort(), ['blue', 'red'])
  t.deepEqual(out.get_details.find((d: unknown[]) => d[0] === 'blue'), ['blue', true, 'SHA', sha1Hex('donttell')])
  t.deepEqual(out.get_details.find((d: unknown[]) => d[0] === 'red'), ['red', true, '', ''])
  t.is(out.rm_wrong_secret, 0)
  t.deepEqual(out.after_rm_wrong_secret, ['blue', 'red'], 'a wrong secret removes nothing')
  t.is(out.rm_right_secret, 0)
  t.deepEqual(out.after_rm_right_secret, ['red'])
  t.deepEqual(out.after_rm_unremovable, ['red'], 'a value put without a secret cannot be removed')
  t.deepEqual([out.before_expiry, out.after_expiry], [['gone soon'], []])
  t.regex(out.ping, /^127\.0\.0\.1:\d+, XML: Python-xmlrpc\/3\.\d+$/)
  t.is(out.faults.key_too_long.string, 'java.lang.Exception: key is longer than 20 bytes')
  t.is(out.faults.value_too_long.string, 'java.lang.Exception: value is longer than 1024 bytes')
  t.is(out.faults.placemark_too_long.string, 'java.lang.Exception: placemark is longer than 77 bytes')
  t.is(out.faults.unknown_method.string, 'java.lang.Exception: no such handler: store')
  t.regex(out.faults.ttl_as_string.string, /^java\.lang\.NoSuchMethodException: bamboo\.dht\.Gateway\$XmlRpcPutHandler\.put\(\[B, \[B, java\.lang\.String/)

  // xest put | get | rm through other gateways: values put at node 5 are read at node 7.
  t.is((await xest('put', 'fruit', 'apple', '--gateway', gatewayOf(5))).stdout, 'Success\n')
  t.is((await xest('put', 'fruit', 'pear', '--secret', 's3cret', '--ttl', '600', '--gateway', gatewayOf(5))).stdout, 'Success\n')
  t.deepEqual((await xest('get', 'fruit', '--gateway', gatewayOf(7))).stdout.split('\n').filter(Boolean).sort(), ['apple', 'pear'])
  const details = JSON.parse((await xest('get', 'fruit', '--details', '--json', '--gateway', gatewayOf(1))).stdout)
  t.is(details.find((v: any) => v.value === 'pear').secretHash, sha1Hex('s3cret'))
  t.is((await xest('rm', 'fruit', 'pear', '--secret', 'wrong', '--gateway', gatewayOf(2))).stdout, 'Success\n', 'Bamboo answers Success and ignores the tombstone')
  t.deepEqual((await xest('get', 'fruit', '--gateway', gatewayOf(7))).stdout.split('\n').filter(Boolean).sort(), ['apple', 'pear'])
  t.is((await xest('rm', 'fruit', 'pear', '--secret', 's3cret', '--gateway', gatewayOf(2))).stdout, 'Success\n')
  t.deepEqual((await xest('get', 'fruit', '--gateway', gatewayOf(6))).stdout, 'apple\n')
  const oversize = await xest('put', 'fruit', 'x'.repeat(1025), '--gateway', gatewayOf(0))
  t.is(oversize.code, 2)
  t.regex(oversize.stderr, /VALUE is 1025 bytes; at most 1024/)
  const refused = await xest('get', 'fruit', '--gateway', '127.0.0.1:47799')
  t.is(refused.code, 1)
  t.regex(refused.stderr, /no gateway listens on 127\.0\.0\.1:47799/)

  // A node's status page lists its leaf set (7 others on an 8-node ring) and its stored tuples.
  // Bamboo ended the page's header lines with a bare LF, which undici's fetch refuses; curl,
  // browsers and Node's lenient parser read it.
  const page = await new Promise<string>((resolve, reject) => {
    http.get(`http://${gatewayOf(4)}/`, { insecureHTTPParser: true }, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => { body += chunk.toString('latin1') })
      response.on('end', () => resolve(body))
    }).on('error', reject)
  })
  t.regex(page, /<title>Bamboo Node 127\.0\.0\.1:47708<\/title>/)
  t.is((page.match(/<tr><td align="center">-?\d<\/td><td align="center"><a href=/g) ?? []).length, 8, '4 + 4 leaf-set rows (one node appears on both sides)')
  t.regex(page, /<em>Stored Tuples:<\/em><\/td><td><\/td><td>\d+<\/td>/)
})
