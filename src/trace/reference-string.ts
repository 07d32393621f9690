/**
 * Turns trace records into the grouping's input, a ReferenceString over dense object ids (ids
 * in order of first reference). What counts as one object:
 *  - block traces (a key without `/`, a device such as `vdisk`, `dev4`, `8,0`): every
 *    `blockBytes` block the record covers, keyed `${device}:${blockIndex}`, size `blockBytes`;
 *  - file traces (a key with `/`, a path): by default the whole file, one reference per
 *    record, keyed by the path, size = the furthest byte any record reached (opens and stats
 *    reference the file with size 0); with `fileChunkBytes`, every chunk of that many bytes the
 *    record covers, keyed `${path}#${chunkIndex}` (an open or stat touches the chunk at its
 *    offset, chunk 0);
 *  - a key without `/` and a record of size 0 (a key-only reference list): the key itself,
 *    size 0 (unknown).
 * Whole files are the default because a file is the unit a program names, and whole-file
 * grouping keeps a VM image's object count near its file count; chunks are for large files.
 * A record covering more than `maxObjectsPerRecord` objects is an error (a corrupt size), not
 * a hang. Pure; consumes the records once.
 */
import type { ReferenceString, TraceRecord } from './trace-record.ts'

export interface ReferenceStringOptions {
  /** Block size of block traces. @default 4096 */
  blockBytes?: number
  /** Chunk size of file traces; absent: one object per file. */
  fileChunkBytes?: number
  /** Decides which keys are file paths. @default key contains '/' */
  isFile?: (key: string) => boolean
  /** Most objects one record may expand to. @default 1 << 20 (4 GiB of 4 KiB blocks) */
  maxObjectsPerRecord?: number
}

const isPath = (key: string): boolean => key.includes('/')

/** Builds a ReferenceString incrementally: `add` records, then `finish`. */
export class ReferenceStringBuilder {
  readonly #blockBytes: number
  readonly #chunkBytes: number | undefined
  readonly #isFile: (key: string) => boolean
  readonly #maxObjects: number
  readonly #whole = new Map<string, number>()
  readonly #parts = new Map<string, Map<number, number>>()
  readonly #keys: string[] = []
  #sizes = new Float64Array(1024)
  #refs = new Int32Array(4096)
  #length = 0
  #records = 0

  constructor (options: ReferenceStringOptions = {}) {
    this.#blockBytes = options.blockBytes ?? 4096
    this.#chunkBytes = options.fileChunkBytes
    this.#isFile = options.isFile ?? isPath
    this.#maxObjects = options.maxObjectsPerRecord ?? 1 << 20
    if (!(Number.isInteger(this.#blockBytes) && this.#blockBytes > 0)) throw new RangeError(`blockBytes ${this.#blockBytes} is not a positive whole number`)
    if (this.#chunkBytes !== undefined && !(Number.isInteger(this.#chunkBytes) && this.#chunkBytes > 0)) throw new RangeError(`fileChunkBytes ${this.#chunkBytes} is not a positive whole number`)
  }

  add (record: TraceRecord): void {
    const { key, offsetBytes, sizeBytes } = record
    this.#records++
    if (this.#isFile(key)) {
      if (this.#chunkBytes === undefined) {
        const id = this.#wholeId(key)
        const end = offsetBytes + sizeBytes
        if (end > (this.#sizes[id] as number)) this.#sizes[id] = end
        this.#push(id)
      } else {
        this.#pushParts(key, '#', offsetBytes, Math.max(sizeBytes, 1), this.#chunkBytes)
      }
    } else if (sizeBytes === 0) {
      this.#push(this.#wholeId(key))
    } else {
      this.#pushParts(key, ':', offsetBytes, sizeBytes, this.#blockBytes)
    }
  }

  addAll (input: Iterable<TraceRecord | readonly TraceRecord[]>): this {
    for (const item of input) {
      if (Array.isArray(item)) for (const record of item as readonly TraceRecord[]) this.add(record)
      else this.add(item as TraceRecord)
    }
    return this
  }

  /** References added so far (the index the next record's first reference will get). */
  get references (): number {
    return this.#length
  }

  get records (): number {
    return this.#records
  }

  /** Distinct record keys (files, devices, plain keys) added so far. */
  get distinctKeys (): number {
    let count = this.#whole.size
    for (const key of this.#parts.keys()) if (!this.#whole.has(key)) count++
    return count
  }

  finish (): ReferenceString {
    return { refs: this.#refs.slice(0, this.#length), keys: this.#keys, sizesBytes: this.#sizes.slice(0, this.#keys.length) }
  }

  #pushParts (key: string, separator: string, offsetBytes: number, sizeBytes: number, partBytes: number): void {
    const first = Math.floor(offsetBytes / partBytes)
    const last = Math.floor((offsetBytes + sizeBytes - 1) / partBytes)
    if (last - first + 1 > this.#maxObjects) {
      throw new RangeError(`record ${this.#records - 1} (${key} at ${offsetBytes}, ${sizeBytes} bytes) covers ${last - first + 1} objects; at most ${this.#maxObjects}`)
    }
    let parts = this.#parts.get(key)
    if (parts === undefined) this.#parts.set(key, parts = new Map())
    for (let index = first; index <= last; index++) {
      let id = parts.get(index)
      if (id === undefined) {
        id = this.#newObject(`${key}${separator}${index}`, partBytes)
        parts.set(index, id)
      }
      this.#push(id)
    }
  }

  #wholeId (key: string): number {
    let id = this.#whole.get(key)
    if (id === undefined) {
      id = this.#newObject(key, 0)
      this.#whole.set(key, id)
    }
    return id
  }

  #newObject (key: string, sizeBytes: number): number {
    const id = this.#keys.length
    this.#keys.push(key)
    if (id >= this.#sizes.length) {
      const bigger = new Float64Array(this.#sizes.length * 2)
      bigger.set(this.#sizes)
      this.#sizes = bigger
    }
    this.#sizes[id] = sizeBytes
    return id
  }

  #push (id: number): void {
    if (this.#length === this.#refs.length) {
      const bigger = new Int32Array(this.#refs.length * 2)
      bigger.set(this.#refs)
      this.#refs = bigger
    }
    this.#refs[this.#length++] = id
  }
}

/** The reference string of `input` (records, or chunks of records as `openTrace` yields). */
export function toReferenceString (input: Iterable<TraceRecord> | Iterable<readonly TraceRecord[]>, options: ReferenceStringOptions = {}): ReferenceString {
  return new ReferenceStringBuilder(options).addAll(input as Iterable<TraceRecord | readonly TraceRecord[]>).finish()
}
