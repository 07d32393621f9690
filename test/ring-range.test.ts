import test from 'ava'
import { inRangeMod } from '../src/ids/ring.ts'
import { SeededRng } from '../src/env/rng.ts'

const M = 1n << 160n

/** The definition: walk from low to high mod M, both ends included. */
function walks (low: bigint, high: bigint, query: bigint, modulus: bigint): boolean {
  return (((query - low) % modulus) + modulus) % modulus <= (((high - low) % modulus) + modulus) % modulus
}

test('inRangeMod: an arc from low to high on the ring, both ends included, wrapping through zero', (t) => {
  const rng = new SeededRng('ring-range')
  const id = (): bigint => BigInt('0x' + Buffer.from(rng.bytes(20)).toString('hex'))
  const edges = [0n, 1n, M - 1n, M / 2n]
  for (let i = 0; i < 3000; i++) {
    const low = i % 4 === 0 ? edges[i % edges.length]! : id()
    const high = i % 9 === 0 ? low : i % 5 === 0 ? edges[(i >> 2) % edges.length]! : id()
    for (const query of [id(), low, high, 0n, M - 1n, low === 0n ? M - 1n : low - 1n]) {
      t.is(inRangeMod(low, high, query), walks(low, high, query, M))
    }
  }
  for (let low = 0n; low < 12n; low++) for (let high = 0n; high < 12n; high++) for (let q = 0n; q < 12n; q++) {
    t.is(inRangeMod(low, high, q, 12n), walks(low, high, q, 12n), `${low}..${high} ∋ ${q} (mod 12)`)
  }
})
