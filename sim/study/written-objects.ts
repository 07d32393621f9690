/**
 * What one replayed VM wrote: for each catalog object, the host holding the VM's version (or
 * none), the order objects were first written in, every write in order, and the id and hex key
 * of the VM's version of each object. State is kept in typed arrays indexed by catalog object,
 * not maps: a CloudPhysics replay writes ~10^5 distinct objects per VM and every reference
 * consults this. A version's id stands in for the SHA-1 of its content: the catalog id XOR a
 * per-VM mask (SHA-1 of "vm<V>:written"), as uniform and collision-free as a hash of new content
 * and far cheaper to make; ids live in one slab per VM. Pure bookkeeping; never fetches.
 */
import { idHex } from '../../src/fetch/object-id-hex.ts'
import { sha1 } from '../../src/ids/sha1.ts'

const ID_BYTES = 20

export class WrittenObjects {
  /** Host index holding this VM's version of each object, −1 when it never wrote it. */
  readonly #hostOf: Int32Array
  /** Position in `log` of each object's last write, −1 when none. */
  readonly #lastWriteAt: Int32Array
  /** Objects in the order they were first written. */
  readonly firstWritten: number[] = []
  /** Every write in order (object indices). */
  readonly log: number[] = []
  readonly #ids: Array<Uint8Array | undefined>
  readonly #keys: Array<string | undefined>
  #slab: Uint8Array | null = null
  readonly #mask: Uint8Array

  constructor (vm: number, private readonly catalogIds: readonly Uint8Array[]) {
    const count = catalogIds.length
    this.#hostOf = new Int32Array(count).fill(-1)
    this.#lastWriteAt = new Int32Array(count).fill(-1)
    this.#ids = packed<Uint8Array>(count)
    this.#keys = packed<string>(count)
    this.#mask = sha1(`vm${vm}:written`)
  }

  get any (): boolean {
    return this.firstWritten.length > 0
  }

  /** Host holding the VM's version of `index`, or −1. */
  hostOf (index: number): number {
    return this.#hostOf[index]!
  }

  /** The VM wrote `index` on `host`. */
  write (index: number, host: number): void {
    if (this.#hostOf[index] === -1) this.firstWritten.push(index)
    this.#hostOf[index] = host
    this.#lastWriteAt[index] = this.log.length
    this.log.push(index)
  }

  /** The VM's version of `index` (written before) is now also on `host`, the one to use. */
  moved (index: number, host: number): void {
    this.#hostOf[index] = host
  }

  /** Position in `log` of the last write of `index`, or −1. */
  lastWriteAt (index: number): number {
    return this.#lastWriteAt[index]!
  }

  /** Id of the VM's version of `index`. */
  id (index: number): Uint8Array {
    let id = this.#ids[index]
    if (id === undefined) {
      this.#slab ??= new Uint8Array(this.catalogIds.length * ID_BYTES)
      id = this.#slab.subarray(index * ID_BYTES, (index + 1) * ID_BYTES)
      const base = this.catalogIds[index]!
      for (let i = 0; i < ID_BYTES; i++) id[i] = base[i]! ^ this.#mask[i]!
      this.#ids[index] = id
    }
    return id
  }

  /** Hex of `id(index)`: the key of hosts' extra objects. */
  key (index: number): string {
    let key = this.#keys[index]
    if (key === undefined) this.#keys[index] = key = idHex(this.id(index))
    return key
  }
}

/** An array of `count` undefineds with fast elements (`new Array(n)` turns into a dictionary for large n). */
function packed<T> (count: number): Array<T | undefined> {
  const out: Array<T | undefined> = []
  for (let i = 0; i < count; i++) out.push(undefined)
  return out
}
