import test from 'ava'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))

function xest (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    })
  })
}

test('xest id prints Bamboo\'s node id', async (t) => {
  const r = await xest('id', '127.0.0.1:5850')
  t.is(r.code, 0)
  t.is(r.stdout, '0d7375bf9009102050ca281ab2262bffbe323a34\n')
  t.is((await xest('id', '127.0.0.1:3630')).stdout.slice(0, 8), '19d5e887')
})

test('xest id rejects a malformed address with a usage error', async (t) => {
  const r = await xest('id', '127.0.0.1')
  t.is(r.code, 2)
  t.regex(r.stderr, /not an address/)
})

test('xest wire decode prints header and message fields as JSON', async (t) => {
  const r = await xest('wire', 'decode', '00000000 | ffffffffffffffff | 000001a20a917501 | 00000004 | ffffffff',
    'e4dd7a152b974bcc 0e30047f000001000000150093f4fc37f2d761b208d49d583b58fd4c962c5b18 0000000000000000')
  t.is(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.is(out.header.ack, null)
  t.deepEqual(out.header.seq, { seq: '0x1a20a917501', msgId: '7013568885', attempt: 1 })
  t.is(out.header.waitMs, 4)
  t.is(out.header.estRttMs, -1)
  t.deepEqual(out.message, {
    type: 'JoinReq', node: { host: '127.0.0.1', port: 3632 }, guid: '0x93f4fc37f2d761b208d49d583b58fd4c962c5b18', revTtl: 0, path: []
  })
})

test('xest wire decode: garbage gives a clear error and a failing exit code', async (t) => {
  const notHex = await xest('wire', 'decode', 'zz')
  t.is(notHex.code, 2)
  t.regex(notHex.stderr, /not hex/)
  const short = await xest('wire', 'decode', '0000')
  t.is(short.code, 1)
  t.regex(short.stderr, /not a UdpCC datagram \(short\)/)
  const badBody = await xest('wire', 'decode', '00000000ffffffffffffffff000001a20a91750100000004ffffffff', '0102030405060708')
  t.is(badBody.code, 1)
  t.regex(JSON.parse(badBody.stdout).error, /unknown type code 0102030405060708/)
})

test('unknown commands and flags are usage errors', async (t) => {
  t.is((await xest('frobnicate')).code, 2)
  t.is((await xest('id', '127.0.0.1:1', '--bogus')).code, 2)
})
