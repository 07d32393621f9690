import test from 'ava'
import { SeededRng, type Rng } from '../src/env/rng.ts'
import { VivaldiCoordinate, VivaldiState, DEFAULT_VIVALDI_CONFIG } from '../src/overlay/vivaldi.ts'

/** 30 nodes with true positions on a 100×100 ms plane plus access heights of 1–20 ms. */
function syntheticNetwork (rng: Rng, n: number): { rtt: (i: number, j: number) => number } {
  const pos = Array.from({ length: n }, () => ({ x: rng.float() * 100, y: rng.float() * 100, h: 1 + rng.float() * 19 }))
  return {
    rtt (i, j) {
      const a = pos[i]!
      const b = pos[j]!
      return Math.hypot(a.x - b.x, a.y - b.y) + a.h + b.h
    }
  }
}

/** Random pairs; the sampler updates from the target's coordinate and, as Bamboo's reverse ping does, vice versa. */
function simulate (seed: string, n: number, rounds: number): { states: VivaldiState[], rtt: (i: number, j: number) => number } {
  const rng = new SeededRng(seed)
  const net = syntheticNetwork(rng.fork('net'), n)
  const states = Array.from({ length: n }, (_, i) => new VivaldiState(rng.fork(`node${i}`)))
  for (let k = 0; k < rounds; k++) {
    const i = rng.int(n)
    let j = rng.int(n - 1)
    if (j >= i) j++
    const a = states[i]!
    const b = states[j]!
    const rtt = net.rtt(i, j)
    const remoteOfA = b.coordinate
    a.sample(remoteOfA, 0, rtt)
    b.sample(a.coordinate, 0, rtt)
  }
  return { states, rtt: net.rtt }
}

function medianRelativeError (states: VivaldiState[], rtt: (i: number, j: number) => number): number {
  const errors: number[] = []
  for (let i = 0; i < states.length; i++) {
    for (let j = i + 1; j < states.length; j++) {
      const truth = rtt(i, j)
      errors.push(Math.abs(states[i]!.estimateRttMs(states[j]!.coordinate) - truth) / truth)
    }
  }
  errors.sort((p, q) => p - q)
  return errors[Math.floor(errors.length / 2)]!
}

// Bamboo's plain spring (δ floored at 0.05, no error weighting) converges slowly: after 3,000
// exchanges the median error is 2–12 % depending on the seed, after 20,000 (≈1,300 samples per
// node) it is below 3 %.
test('converges on a synthetic plane-plus-height embedding (median relative RTT error < 10 %)', (t) => {
  const { states, rtt } = simulate('converge', 30, 20_000)
  const median = medianRelativeError(states, rtt)
  t.log(`median relative error ${(median * 100).toFixed(2)} %`)
  t.true(median < 0.10)
  for (const s of states) {
    t.true(s.coordinate.height >= DEFAULT_VIVALDI_CONFIG.minHeightMs)
    t.is(s.delta, DEFAULT_VIVALDI_CONFIG.minDelta)
  }
})

test('deterministic under the same seed; a different seed gives different coordinates', (t) => {
  const wire = (seed: string): number[][] => simulate(seed, 12, 500).states.map((s) => s.coordinate.toWire())
  t.deepEqual(wire('det'), wire('det'))
  t.notDeepEqual(wire('det'), wire('det2'))
})

test('wire round-trip keeps values bit-exact; bad arrays are rejected', (t) => {
  const c = new VivaldiCoordinate(12.625, -3.1e-7, 4.5)
  t.deepEqual(c.toWire(), [12.625, -3.1e-7, 4.5])
  const back = VivaldiCoordinate.fromWire(c.toWire())
  t.truthy(back)
  t.true(back!.equals(c))
  t.deepEqual(VivaldiCoordinate.fromWire([0, 0, 0])!.toWire(), VivaldiCoordinate.ORIGIN.toWire())
  t.is(VivaldiCoordinate.fromWire([1, 2, -3])!.height, -3, 'negative heights pass through as in Bamboo')
  for (const bad of [[], [1, 2], [1, 2, 3, 4], [1, 2, 3, 4, 5], [Number.NaN, 0, 1], [0, Infinity, 1], [0, 0, -Infinity]]) {
    t.is(VivaldiCoordinate.fromWire(bad), null, JSON.stringify(bad))
  }
  t.throws(() => new VivaldiCoordinate(0, Number.NaN, 1), { instanceOf: RangeError })
})

test('distance is the plane distance plus both heights (absolute), RTT estimate twice that', (t) => {
  const a = new VivaldiCoordinate(0, 0, 1)
  const b = new VivaldiCoordinate(3, 4, 2)
  t.is(a.planeDistanceMs(b), 5)
  t.is(a.distanceMs(b), 8)
  t.is(b.distanceMs(a), 8)
  t.is(a.distanceMs(new VivaldiCoordinate(3, 4, -2)), 8)
  t.is(a.euclideanDistanceMs(b), Math.sqrt(26))
  const s = new VivaldiState(new SeededRng('x'), {}, a)
  t.is(s.estimateOneWayMs(b), 8)
  t.is(s.estimateRttMs(b), 16)
})

test('one update follows Bamboo arithmetic: one-way latency, δ 1 → 0.975, non-unit direction', (t) => {
  const me = new VivaldiCoordinate(0, 0, 1)
  const remote = new VivaldiCoordinate(3, 4, 1)
  const s = new VivaldiState(new SeededRng('u'), {}, me)
  t.true(s.sample(remote, 0, 20))
  const dist = 7 // 5 in the plane + 1 + 1
  const d = dist - 20 / 2
  const delta = 1.0 - 0.025
  t.deepEqual(s.coordinate.toWire(), [
    0 + (3 / dist) * d * delta,
    0 + (4 / dist) * d * delta,
    1 + (-1.0 * (1 + 1) / dist) * d * delta
  ])
  t.is(s.delta, 0.975)
  t.is(s.sampleCount, 1)
  // Too far: pulled toward the remote and the height drops, but never below 0.5 ms.
  const t2 = new VivaldiState(new SeededRng('u'), {}, new VivaldiCoordinate(0, 0, 1))
  t2.sample(new VivaldiCoordinate(0, 0, 1), 0, 0)
  t.deepEqual(t2.coordinate.toWire(), [0, 0, 0.5])
  // δ floors at 0.05 after 38 samples and stays there.
  const t3 = new VivaldiState(new SeededRng('u'))
  const steps: number[] = []
  for (let i = 0; i < 50; i++) {
    t3.sample(new VivaldiCoordinate(10, 0, 1), 0, 30)
    steps.push(t3.delta)
  }
  t.true(steps[36]! > 0.05)
  t.is(steps[37], 0.05)
  t.is(steps[49], 0.05)
})

test('coincident coordinates separate in a seeded random direction and then agree with the RTT', (t) => {
  const run = (seed: string): [VivaldiState, VivaldiState] => {
    const a = new VivaldiState(new SeededRng(`${seed}a`))
    const b = new VivaldiState(new SeededRng(`${seed}b`))
    t.true(a.coordinate.equals(b.coordinate))
    t.is(a.coordinate.distanceMs(b.coordinate), 0)
    a.sample(b.coordinate, 0, 40)
    t.false(a.coordinate.equals(b.coordinate))
    for (let i = 0; i < 200; i++) {
      b.sample(a.coordinate, 0, 40)
      a.sample(b.coordinate, 0, 40)
    }
    return [a, b]
  }
  const [a, b] = run('c')
  t.true(Math.abs(a.estimateRttMs(b.coordinate) - 40) < 1, `estimate ${a.estimateRttMs(b.coordinate)}`)
  t.deepEqual(run('c')[0].coordinate.toWire(), a.coordinate.toWire())
  t.notDeepEqual(run('d')[0].coordinate.toWire(), a.coordinate.toWire())
})

test('zero, negative, non-finite and huge RTTs or remote values never put NaN or Infinity into the state', (t) => {
  const s = new VivaldiState(new SeededRng('robust'), {}, new VivaldiCoordinate(5, 5, 2))
  const near = new VivaldiCoordinate(6, 5, 1)
  t.true(s.sample(near, 0, 0), 'a zero RTT is a legal sample')
  const before = s.coordinate.toWire()
  for (const rtt of [-1, -1e-9, Number.NaN, Infinity, -Infinity, 1e308, DEFAULT_VIVALDI_CONFIG.maxRttMs + 1]) {
    t.false(s.sample(near, 0, rtt), String(rtt))
    t.is(s.lastOutcome, 'bad-rtt')
  }
  t.false(s.sample(new VivaldiCoordinate(1e300, -1e300, 1e300), 0, 100))
  t.is(s.lastOutcome, 'bad-remote')
  t.deepEqual(s.coordinate.toWire(), before, 'rejected samples leave the state untouched')
  t.is(s.rejectedCount, 8)
  t.true(s.sample(near, 0, DEFAULT_VIVALDI_CONFIG.maxRttMs))

  const rng = new SeededRng('fuzz')
  const wild = (): number => {
    const r = rng.float()
    if (r < 0.1) return 0
    if (r < 0.2) return (rng.float() - 0.5) * 4e6
    return (rng.float() - 0.5) * 400
  }
  const states = [s, new VivaldiState(rng.fork('a')), new VivaldiState(rng.fork('b'), { maxCoordinateMs: 1e3 })]
  const rtts = [0, -5, 1e-300, 5e-324, 60_000, 1e9, Number.NaN]
  for (let k = 0; k < 20_000; k++) {
    const st = states[k % states.length]!
    const remote = rng.float() < 0.3 ? states[rng.int(states.length)]!.coordinate : new VivaldiCoordinate(wild(), wild(), wild())
    const rtt = rng.float() < 0.2 ? rtts[rng.int(rtts.length)]! : rng.float() * 1000
    st.sample(remote, Number.NaN, rtt)
    const v = st.coordinate.toWire()
    if (!v.every((x) => Number.isFinite(x) && Math.abs(x) <= st.config.maxCoordinateMs) || !Number.isFinite(st.delta)) {
      t.fail(`state broke at sample ${k}: ${String(v)}`)
      return
    }
  }
  for (const st of states) t.true(st.coordinate.height >= 0.5 && st.sampleCount > 0)
})

test('invalid configurations are refused', (t) => {
  const rng = new SeededRng('cfg')
  for (const bad of [{ minDelta: 0 }, { minDelta: 2 }, { deltaStep: -1 }, { maxRttMs: Number.NaN }, { minHeightMs: -1 }, { maxCoordinateMs: 0 }]) {
    t.throws(() => new VivaldiState(rng, bad), { instanceOf: RangeError }, JSON.stringify(bad))
  }
  t.throws(() => new VivaldiState(rng, {}, new VivaldiCoordinate(2e6, 0, 1)), { instanceOf: RangeError })
})
