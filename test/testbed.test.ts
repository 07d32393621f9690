/**
 * The wide-area testbed: the latency-emulating port under a fake clock (delay per matrix entry,
 * same-site delay, unmapped peers, loss rate, per-peer order, close), host-map parsing, the
 * lookup plan and its simulated twin; and — only as root with `ip netns` — a 4-host testbed
 * brought up, driven (lookups compared with the simulator, traffic all mapped), and taken down
 * leaving no namespace, link or process, also after an `up` that fails half-way.
 */
import test from 'ava'
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Clock, Timer } from '../src/env/clock.ts'
import type { DatagramPort, DatagramReceiver } from '../src/env/datagram-port.ts'
import { LatencyPort, type LatencyMatrix } from '../src/env/latency-port.ts'
import { SeededRng } from '../src/env/rng.ts'
import type { NodeAddress } from '../src/ids/node-address.ts'
import { hostLookup, readHostMap } from '../src/cli/commands/testbed/emulation.ts'
import { lookupPlan, summarizeLookups } from '../src/cli/commands/testbed/lookup-plan.ts'
import { simulateTestbedLookups } from '../src/cli/commands/testbed/testbed-sim.ts'
import { netnsAvailable } from '../src/cli/commands/testbed/netns.ts'

class FakeClock implements Clock {
  now = 1_000
  #seq = 0
  readonly #timers: Array<{ at: number, seq: number, fire: () => void, cancelled: boolean }> = []
  nowMs (): number { return this.now }
  setTimer (delayMs: number, fire: () => void): Timer {
    const timer = { at: this.now + Math.max(0, delayMs), seq: this.#seq++, fire, cancelled: false }
    this.#timers.push(timer)
    return { cancel: () => { timer.cancelled = true } }
  }

  /** Runs every timer due up to now + ms, in (time, order) order, moving the clock to each. */
  advance (ms: number): void {
    const until = this.now + ms
    for (;;) {
      const due = this.#timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (due === undefined) break
      this.#timers.splice(this.#timers.indexOf(due), 1)
      this.now = due.at
      due.fire()
    }
    this.now = until
  }
}

class RecordingPort implements DatagramPort {
  readonly local: NodeAddress = { host: '10.0.0.1', port: 3630 }
  readonly sent: Array<{ atMs: number, target: string, bytes: Uint8Array }> = []
  closed = false
  constructor (private readonly clock: FakeClock) {}
  send (target: NodeAddress, bytes: Uint8Array): void { this.sent.push({ atMs: this.clock.now, target: `${target.host}:${target.port}`, bytes }) }
  setReceiver (_receive: DatagramReceiver): void {}
  close (): void { this.closed = true }
}

/** Host 0 → 1: 40 ms, 0 → 2: 0 (same site), 0 → 3: 7.5 ms. */
const matrix: LatencyMatrix = { hostCount: 4, oneWayUs: (s, t) => s !== 0 ? 1000 : [0, 40_000, 0, 7_500][t]! }
const peer = (i: number): NodeAddress => ({ host: `10.0.0.${i + 1}`, port: 3630 })
const hostOf = (a: NodeAddress): number | undefined => a.host.startsWith('10.0.0.') ? Number(a.host.split('.')[3]) - 1 : undefined

function setup (lossProbability = 0) {
  const clock = new FakeClock()
  const inner = new RecordingPort(clock)
  const port = new LatencyPort(inner, { clock, rng: new SeededRng('latency-test') }, { matrix, selfHost: 0, hostOf, lossProbability })
  return { clock, inner, port }
}

test('each datagram is held for the matrix delay to its peer; 0 means the same-site 250 µs; unmapped peers go at once', (t) => {
  const { clock, inner, port } = setup()
  port.send(peer(1), Uint8Array.of(1))
  port.send(peer(2), Uint8Array.of(2))
  port.send(peer(3), Uint8Array.of(3))
  port.send({ host: '192.168.9.9', port: 1 }, Uint8Array.of(4))
  t.deepEqual(inner.sent.map((s) => s.bytes[0]), [4], 'only the unmapped datagram left at once')
  clock.advance(100)
  t.deepEqual(inner.sent.map((s) => [s.bytes[0], s.atMs - 1_000]), [[4, 0], [2, 0.25], [3, 7.5], [1, 40]])
  t.like(port.stats, { sent: 4, delivered: 3, unmapped: 1, dropped: 0 })
  t.is(port.delayToMs(peer(1)), 40)
  t.is(port.delayToMs({ host: '8.8.8.8', port: 53 }), null)
})

test('datagrams to one peer leave in the order sent, each exactly its delay after sending', (t) => {
  const { clock, inner, port } = setup()
  const sentAt: number[] = []
  for (let i = 0; i < 200; i++) {
    sentAt.push(clock.now)
    port.send(peer(i % 2 === 0 ? 1 : 3), new Uint8Array(Uint16Array.of(i).buffer))
    clock.advance(0.37)
  }
  clock.advance(100)
  const toPeer1 = inner.sent.filter((s) => s.target === '10.0.0.2:3630').map((s) => new Uint16Array(s.bytes.slice().buffer)[0]!)
  const toPeer3 = inner.sent.filter((s) => s.target === '10.0.0.4:3630').map((s) => new Uint16Array(s.bytes.slice().buffer)[0]!)
  t.deepEqual(toPeer1, Array.from({ length: 100 }, (_, i) => 2 * i))
  t.deepEqual(toPeer3, Array.from({ length: 100 }, (_, i) => 2 * i + 1))
  for (const s of inner.sent) {
    const i = new Uint16Array(s.bytes.slice().buffer)[0]!
    t.true(Math.abs(s.atMs - sentAt[i]! - (i % 2 === 0 ? 40 : 7.5)) < 0.51, `datagram ${i} delayed ${s.atMs - sentAt[i]!} ms`)
  }
  t.is(port.held, 0)
})

test('the loss rate is the configured probability; the sender\'s bytes are copied', (t) => {
  const { clock, inner, port } = setup(0.1)
  const buffer = new Uint8Array(1)
  for (let i = 0; i < 20_000; i++) { buffer[0] = i & 255; port.send(peer(1), buffer) }
  buffer[0] = 99
  clock.advance(50)
  const share = port.stats.dropped / port.stats.sent
  t.true(share > 0.09 && share < 0.11, `dropped ${share}`)
  t.is(port.stats.delivered + port.stats.dropped, 20_000)
  t.is(inner.sent.length, port.stats.delivered)
  t.false(inner.sent.every((s) => s.bytes[0] === 99), 'held datagrams keep the bytes they were sent with')
})

test('close cancels held datagrams and closes the inner port; bad host indices are refused', (t) => {
  const { clock, inner, port } = setup()
  port.send(peer(1), Uint8Array.of(1))
  port.send(peer(3), Uint8Array.of(2))
  port.close()
  clock.advance(100)
  t.is(inner.sent.length, 0)
  t.true(inner.closed)
  t.is(port.stats.discardedAtClose, 2)
  port.send(peer(1), Uint8Array.of(3))
  t.is(port.stats.sent, 2, 'sends after close are ignored')
  t.throws(() => new LatencyPort(inner, { clock, rng: new SeededRng(1) }, { matrix, selfHost: 4, hostOf }), { instanceOf: RangeError })
  t.throws(() => new LatencyPort(inner, { clock, rng: new SeededRng(1) }, { matrix, selfHost: 0, hostOf, lossProbability: 1 }), { instanceOf: RangeError })
})

test('host maps: JSON files and inline lists, exact IP:PORT before IP; bad entries are usage errors', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xest-hostmap-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'hosts.json')
  writeFileSync(file, JSON.stringify({ '10.77.0.1:3630': 0, '10.77.0.2': 5 }))
  const lookup = hostLookup(readHostMap(file))
  t.is(lookup({ host: '10.77.0.1', port: 3630 }), 0)
  t.is(lookup({ host: '10.77.0.1', port: 3631 }), undefined)
  t.is(lookup({ host: '10.77.0.2', port: 9 }), 5)
  t.is(hostLookup(readHostMap('10.77.0.1=3, 10.77.0.9:1=4'))({ host: '10.77.0.9', port: 1 }), 4)
  t.throws(() => readHostMap('10.77.0.1=x'), { message: /entry 1/ })
  t.throws(() => readHostMap('nohost=1'), { message: /not IP/ })
  writeFileSync(file, '[1, 2]')
  t.throws(() => readHostMap(file), { message: /JSON object/ })
  t.throws(() => readHostMap(path.join(dir, 'missing.json')), { message: /cannot read/ })
})

test('the lookup plan is the same on both sides; the simulated twin finds every true root with matrix latencies', (t) => {
  const plan = lookupPlan('7', 4, 3, 1000)
  t.deepEqual(plan, lookupPlan('7', 4, 3, 1000))
  t.is(plan.length, 12)
  t.is(new Set(plan.map((p) => p.keyHex)).size, 12)
  t.deepEqual(plan.slice(0, 2).map((p) => p.atMs), [0, 250])
  const hosts = [0, 1, 2, 3].map((i) => ({ address: `10.77.0.${i + 1}`, port: 3630, matrixHost: i, startOffsetMs: i * 300 }))
  const dir = mkdtempSync(path.join(tmpdir(), 'xest-twin-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'm.txt')
  writeFileSync(file, '0 20 40 60\n20 0 20 40\n40 20 0 20\n60 40 20 0\n')
  const twin = simulateTestbedLookups({ seed: '7', latency: file, latencyValues: 'one-way', loss: 0, digitBase: 16, leafSetSizePerSide: 4, hosts, workloadStartMs: 30_000, plan, lookupTimeoutMs: 30_000 })
  const summary = summarizeLookups(twin.results, hosts.map((h) => ({ host: h.address, port: h.port })))
  t.is(summary.correct, 12)
  t.true(summary.latencyMs.max! <= 2 * 60 + 1 && summary.latencyMs.max! >= 0, JSON.stringify(summary.latencyMs))
})

// ---- live testbed (root with ip netns only) ----

const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))

async function xest (args: string[], timeoutMs = 150_000): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
  })
}

function leftovers (prefix: string, dir: string) {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(prefix + '-'))
  const links = execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }).split('\n').map((l) => l.split(/\s+/)[0]!).filter((n) => n.startsWith('tb'))
  let processes: string[] = []
  try { processes = execFileSync('pgrep', ['-f', dir], { encoding: 'utf8' }).trim().split('\n').filter((s) => s !== '') } catch { /* pgrep: none */ }
  return { namespaces, links, processes }
}

const available = netnsAvailable()
const live = available.ok ? test.serial : test.serial.skip
if (!available.ok) test('live testbed tests skipped', (t) => { t.log(`skipped: ${available.reason}`); t.pass() })

live('a 4-host testbed comes up, answers lookups like the simulator with all traffic mapped, and goes down leaving nothing', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xest-tb-test-'))
  const prefix = `xtbt${process.pid % 100000}`
  const state = path.join(dir, 'state.json')
  const matrixFile = path.join(dir, 'm.txt')
  writeFileSync(matrixFile, '0 30 50 70\n30 0 30 50\n50 30 0 30\n70 50 30 0\n')
  t.teardown(async () => { await xest(['testbed', 'down', '--state', state]); rmSync(dir, { recursive: true, force: true }) })
  const up = await xest(['testbed', 'up', '--hosts', '4', '--latency', matrixFile, '--state', state, '--prefix', prefix, '--json'])
  t.is(up.code, 0, up.stderr)
  t.is(JSON.parse(up.stdout).hosts, 4)
  t.deepEqual(leftovers(prefix, dir).links, [], 'no interface appears in the root namespace')
  t.is(leftovers(prefix, dir).namespaces.length, 5)
  const again = await xest(['testbed', 'up', '--hosts', '4', '--state', state, '--prefix', prefix])
  t.is(again.code, 2, 'a second up on the same state is refused')
  const run = await xest(['testbed', 'run', '--workload', 'lookups', '--state', state, '--rounds', '5', '--warmup', '0', '--json'])
  t.is(run.code, 0, run.stderr)
  const report = JSON.parse(run.stdout)
  t.is(report.testbed.issued, 20)
  t.is(report.testbed.correct, 20, 'every lookup reached the true root')
  t.is(report.simulator.correct, 20)
  t.is(report.emulation.unmapped, 0, 'every datagram went to a testbed host')
  t.true(report.emulation.sent > 0)
  t.true(report.testbed.latencyMs.p50 >= report.simulator.latencyMs.p50 * 0.5 && report.testbed.latencyMs.p50 <= report.simulator.latencyMs.p50 * 2 + 10, JSON.stringify(report.ratio))
  const down = await xest(['testbed', 'down', '--state', state, '--json'])
  t.is(down.code, 0, down.stdout + down.stderr)
  t.true(JSON.parse(down.stdout).clean)
  t.deepEqual(leftovers(prefix, dir), { namespaces: [], links: [], processes: [] })
})

live('an up that fails half-way removes what it created; with --keep-on-failure, down removes it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xest-tb-test-'))
  const prefix = `xtbf${process.pid % 100000}`
  const state = path.join(dir, 'state.json')
  t.teardown(async () => { await xest(['testbed', 'down', '--state', state]); rmSync(dir, { recursive: true, force: true }) })
  // Every node is started with a flag it does not know: the network is up, the first node exits.
  const bad = await xest(['testbed', 'up', '--hosts', '4', '--state', state, '--prefix', prefix, '--node-arg=--no-such-flag'])
  t.is(bad.code, 1)
  t.regex(bad.stderr, /exited/)
  t.deepEqual(leftovers(prefix, dir), { namespaces: [], links: [], processes: [] })
  // A convergence deadline too short to meet: nodes are running when up gives up, and stay.
  const kept = await xest(['testbed', 'up', '--hosts', '4', '--state', state, '--prefix', prefix, '--timeout', '2', '--keep-on-failure'])
  t.is(kept.code, 1)
  t.is(leftovers(prefix, dir).namespaces.length, 5, 'kept for inspection')
  const down = await xest(['testbed', 'down', '--state', state, '--json'])
  t.true(JSON.parse(down.stdout).clean, down.stdout)
  t.deepEqual(leftovers(prefix, dir), { namespaces: [], links: [], processes: [] })
  t.false(existsSync(path.join(dir, 'state.d', 'host-0.sock')))
})
