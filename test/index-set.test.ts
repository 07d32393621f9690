import test from 'ava'
import { IndexSet } from '../src/fetch/index-set.ts'

test('an IndexSet behaves as a Set of non-negative integers, growing past its capacity', (t) => {
  const s = new IndexSet(4)
  const model = new Set<number>()
  let seed = 7
  for (let i = 0; i < 5000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    const x = seed % 300
    if (seed % 3 === 0) t.is(s.delete(x), model.delete(x))
    else { s.add(x); model.add(x) }
    t.is(s.has(x), model.has(x))
  }
  t.is(s.size, model.size)
  t.deepEqual([...s], [...model].sort((a, b) => a - b))
  t.false(s.has(10_000))
  t.false(s.delete(10_000))
  t.throws(() => s.add(-1), { instanceOf: RangeError })
  t.throws(() => s.add(1.5), { instanceOf: RangeError })
})
