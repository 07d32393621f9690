/**
 * The seeded random source. Protocol code draws randomness only from an injected Rng, so a
 * simulated run is reproduced exactly from its seed. Backed by seedrandom's Alea generator
 * (about 4× faster than its default ARC4 here; see docs/toolchain). Never uses Math.random.
 */
import seedrandom from 'seedrandom'

export interface Rng {
  /** Uniform in [0, 1). */
  float (): number
  /** Uniform integer in [0, maxExclusive); maxExclusive ≥ 1 and ≤ 2^32. */
  int (maxExclusive: number): number
  /** `count` uniform random bytes. */
  bytes (count: number): Uint8Array
  /** A new, independent generator whose seed derives from this one's state and `label`. */
  fork (label: string): Rng
}

export class SeededRng implements Rng {
  readonly #prng: seedrandom.PRNG
  readonly seed: string

  constructor (seed: string | number) {
    this.seed = String(seed)
    this.#prng = seedrandom.alea(this.seed)
  }

  float (): number {
    return this.#prng()
  }

  int (maxExclusive: number): number {
    if (!(maxExclusive >= 1 && maxExclusive <= 2 ** 32)) throw new RangeError(`int(${maxExclusive})`)
    return Math.floor(this.#prng.double() * maxExclusive)
  }

  bytes (count: number): Uint8Array {
    const out = new Uint8Array(count)
    for (let i = 0; i < count; i += 4) {
      const word = this.#prng.int32() >>> 0
      for (let j = 0; j < 4 && i + j < count; j++) out[i + j] = (word >>> (8 * j)) & 0xff
    }
    return out
  }

  fork (label: string): Rng {
    return new SeededRng(deriveSeed(`${this.seed}/${this.#prng.int32() >>> 0}`, label))
  }
}

/** A child seed for `label` (a node index, a component name) that depends only on its inputs. */
export function deriveSeed (seed: string | number, label: string | number): string {
  return `${String(seed)}:${String(label)}`
}
