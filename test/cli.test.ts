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

test('xest sim traffic writes run.json and CSVs with provenance; the same seed twice gives the same bytes', async (t) => {
  const fs = await import('node:fs')
  const os = await import('node:os')
  const path = await import('node:path')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xest-cli-sim-'))
  const run = () => xest('sim', 'traffic', '--nodes', '20', '--pings', '3', '--loss', '0.05', '--seed', '9', '--json', '--out', path.join(dir, 'a'))
  const snapshot = () => new Map(fs.readdirSync(path.join(dir, 'a')).map((f) => [f, fs.readFileSync(path.join(dir, 'a', f))]))
  const a = await run()
  t.is(a.code, 0, a.stderr)
  const first = snapshot()
  const b = await run()
  const summary = JSON.parse(a.stdout)
  t.is(summary.nodes, 20)
  t.is(summary.pings.sent, 60)
  const runJson = JSON.parse(fs.readFileSync(path.join(dir, 'a', 'run.json'), 'utf8'))
  t.is(runJson.provenance.seed, '9')
  t.is(runJson.provenance.config.lossProbability, 0.05)
  t.regex(runJson.provenance.codeVersion.commit ?? 'no-git', /^([0-9a-f]{40}|no-git)$/)
  t.deepEqual(fs.readdirSync(path.join(dir, 'a')).sort(), ['drops.csv', 'round-trip-cdf.csv', 'run.json', 'traffic-by-node.csv', 'traffic-by-type.csv'])
  for (const [file, bytes] of snapshot()) t.true(bytes.equals(first.get(file)!), file)
  t.is(a.stdout, b.stdout)
  fs.rmSync(dir, { recursive: true })
})

test('xest sim traffic: bad values are usage errors naming the flag', async (t) => {
  const loss = await xest('sim', 'traffic', '--loss', '2')
  t.is(loss.code, 2)
  t.regex(loss.stderr, /loss must be in \[0, 1\]/)
  const interval = await xest('sim', 'traffic', '--interval', '5parsecs')
  t.is(interval.code, 2)
  t.regex(interval.stderr, /--interval: bad duration/)
  const partition = await xest('sim', 'traffic', '--partition', 'half')
  t.is(partition.code, 2)
  t.regex(partition.stderr, /FRACTION:FROM-UNTIL/)
  const missing = await xest('sim', 'traffic', '--latency', '/nonexistent.top')
  t.is(missing.code, 1)
  t.regex(missing.stderr, /nonexistent\.top/)
})

test('xest sim churn: a small ring under churn reports consistency, latency, hops and maintenance, and settles', async (t) => {
  const fs = await import('node:fs')
  const os = await import('node:os')
  const path = await import('node:path')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xest-cli-churn-'))
  const r = await xest('sim', 'churn', '--nodes', '30', '--session-median', '2min', '--warmup', '30s', '--duration', '60s',
    '--lookup-group', '5', '--settle', '3min', '--json', '--out', dir)
  t.is(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  t.log(JSON.stringify({ consistent: s.lookups.consistentShare, meanMs: s.lookups.latencyMs.mean, bytes: s.maintenance.bytesPerSecondPerNode, settle: s.settle }))
  t.true(s.churn.departures > 0)
  t.true(s.lookups.issued >= 250)
  t.true(s.lookups.consistentShare > 0.9)
  t.true(s.maintenance.bytesPerSecondPerNode > 0)
  t.is(typeof s.settle.leafSetsCorrectAfterS, 'number', 'every leaf set correct once churn stops')
  t.is(s.settle.lookupsAfter.correct, s.settle.lookupsAfter.issued, 'then every lookup reaches the true root')
  t.true(s.settle.lookupsAfter.issued >= 100)
  t.true(fs.existsSync(path.join(dir, 'run.json')) && fs.existsSync(path.join(dir, 'traffic-by-type.csv')))
  fs.rmSync(dir, { recursive: true })
})
