import test from 'ava'
import { GuidIndex } from '../src/dht/guid-index.ts'
import { inRangeMod } from '../src/dht/shared-ranges.ts'
import { SeededRng } from '../src/env/rng.ts'

const RING = 1n << 160n

test('a range scan finds exactly the guids inRangeMod accepts, wrapped ranges and guids a unit off the bounds included', (t) => {
  const rng = new SeededRng('guid-index')
  const big = (): bigint => BigInt.asUintN(160, BigInt('0x' + Buffer.from(rng.bytes(20)).toString('hex')))
  const index = new GuidIndex()
  const held = new Set<bigint>()
  const bounds: bigint[] = []
  for (let i = 0; i < 200; i++) bounds.push(big())
  for (const b of bounds) for (const g of [b - 1n, b, b + 1n, big()]) {
    const guid = ((g % RING) + RING) % RING
    index.add(guid)
    held.add(guid)
  }
  for (const g of [...held].filter((_, i) => i % 5 === 0)) { index.delete(g); held.delete(g) }
  index.add([...held][0]!) // adding a held guid again changes nothing
  t.is(index.size, held.size)
  for (let r = 0; r < 400; r++) {
    const range = { low: bounds[r % bounds.length]!, high: bounds[(r * 7 + 3) % bounds.length]! }
    const found: bigint[] = []
    index.forEachInRange(range, (g) => found.push(g))
    const expected = [...held].filter((g) => inRangeMod(range, g))
    t.deepEqual(found.sort(), expected.sort())
  }
})
