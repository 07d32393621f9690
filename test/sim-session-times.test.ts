import test from 'ava'
import { SeededRng } from '../src/env/rng.ts'
import {
  exponentialSessions, fileSessions, formatDurationUs, paretoSessions, parseDuration, type SessionTimes
} from '../sim/churn/session-times.ts'

function median (source: SessionTimes, seed: string, n = 20_000): number {
  const rng = new SeededRng(seed)
  const xs: number[] = []
  for (let i = 0; i < n; i++) xs.push(source.nextSessionUs(rng))
  xs.sort((a, b) => a - b)
  return (xs[n / 2 - 1]! + xs[n / 2]!) / 2
}

function within (t: { true: (v: boolean, m?: string) => void }, got: number, want: number, tolerance: number): void {
  t.true(Math.abs(got - want) / want <= tolerance, `got ${got}, want ${want} ± ${tolerance * 100} %`)
}

test('exponential sessions: median of 20,000 samples within 3 % of the target', (t) => {
  const medianUs = 3_600_000_000
  within(t, median(exponentialSessions({ medianUs }), 'exp'), medianUs, 0.03)
  t.is(exponentialSessions({ medianUs }).describe(), 'exponential(median 1h)')
  // The mean is median / ln 2.
  const rng = new SeededRng('exp-mean')
  const source = exponentialSessions({ medianUs: 1_000_000 })
  let sum = 0
  for (let i = 0; i < 20_000; i++) sum += source.nextSessionUs(rng)
  within(t, sum / 20_000, 1_000_000 / Math.LN2, 0.03)
})

test('Pareto sessions: median within 3 % for several shapes; heavy tail', (t) => {
  for (const shape of [1.1, 2, 3]) {
    within(t, median(paretoSessions({ medianUs: 60_000_000, shape }), `pareto-${shape}`), 60_000_000, 0.03)
  }
  within(t, median(paretoSessions({ medianUs: 1_000_000 }), 'pareto-default'), 1_000_000, 0.03)
  // Every sample is at least the scale x_m = median / 2^(1/α).
  const rng = new SeededRng('pareto-min')
  const source = paretoSessions({ medianUs: 1_000_000, shape: 2 })
  let min = Infinity
  for (let i = 0; i < 10_000; i++) min = Math.min(min, source.nextSessionUs(rng))
  t.true(min >= Math.floor(1_000_000 / Math.SQRT2))
  t.is(source.describe(), 'pareto(median 1s, shape 2)')
  t.throws(() => paretoSessions({ medianUs: 1, shape: 1 }), { instanceOf: RangeError })
  t.throws(() => exponentialSessions({ medianUs: 0 }), { instanceOf: RangeError })
})

test('same seed, same sessions; at least 1 µs, integers', (t) => {
  for (const make of [() => exponentialSessions({ medianUs: 2 }), () => paretoSessions({ medianUs: 5_000, shape: 1.5 })]) {
    const draw = (seed: string): number[] => {
      const rng = new SeededRng(seed)
      const source = make()
      return Array.from({ length: 1000 }, () => source.nextSessionUs(rng))
    }
    const a = draw('same')
    t.deepEqual(a, draw('same'))
    t.notDeepEqual(a, draw('other'))
    t.true(a.every((us) => Number.isInteger(us) && us >= 1))
  }
})

test('file sessions: units, comments, blank lines, cycling', (t) => {
  const text = '# measured sessions\n\n90s\n  1.5min  # trailing comment\n250ms\r\n2\n0\n40us\n3h\n'
  const source = fileSessions(text, 'sessions.txt')
  const rng = new SeededRng('unused')
  const want = [90_000_000, 90_000_000, 250_000, 2_000_000, 1, 40, 10_800_000_000]
  t.deepEqual(Array.from({ length: 14 }, () => source.nextSessionUs(rng)), [...want, ...want])
  t.is(source.describe(), 'file sessions.txt (7 sessions, median 2s)')
})

test('file sessions: errors carry source name and line number', (t) => {
  t.throws(() => fileSessions('10s\n# ok\n\nfive minutes\n', 'trace.txt'), { message: /^trace\.txt:4: bad duration "five minutes"/ })
  t.throws(() => fileSessions('1\n-3s\n', 'neg.txt'), { message: /^neg\.txt:2: / })
  t.throws(() => fileSessions('1\n2\n3\n4\n5d\n', 'unit.txt'), { message: /^unit\.txt:5: .*unknown unit "d"/ })
  t.throws(() => fileSessions('# nothing\n\n', 'empty.txt'), { message: 'empty.txt: no session lengths' })
})

test('parseDuration: units and errors', (t) => {
  t.is(parseDuration('90s'), 90_000_000)
  t.is(parseDuration('1.4min'), 84_000_000)
  t.is(parseDuration('3h'), 10_800_000_000)
  t.is(parseDuration('250ms'), 250_000)
  t.is(parseDuration('17us'), 17)
  t.is(parseDuration('17µs'), 17)
  t.is(parseDuration('2.5'), 2_500_000)
  t.is(parseDuration(' 10 s '), 10_000_000)
  t.is(parseDuration('.5s'), 500_000)
  t.is(parseDuration('1e3ms'), 1_000_000)
  t.is(parseDuration('0.4us'), 0)
  for (const bad of ['', 's', 'abc', '-5s', '5 m', '5d', '1.2.3s', '5 min s', '1e400s']) {
    t.throws(() => parseDuration(bad), { message: /^bad duration/ }, JSON.stringify(bad))
  }
})

test('formatDurationUs picks the largest fitting unit', (t) => {
  t.is(formatDurationUs(90_000_000), '1.5min')
  t.is(formatDurationUs(999), '999us')
  t.is(formatDurationUs(1_500), '1.5ms')
  t.is(formatDurationUs(7_200_000_000), '2h')
})
