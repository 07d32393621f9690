/**
 * The adjusted Rand index (Hubert and Arabie, 1985) of two partitions of the same items, given
 * as one label per item: 1 for identical partitions, about 0 for independent ones, negative
 * when worse than chance. When both partitions are trivial in the same way (all singletons, or
 * one block) the index is undefined; it is then 1 if they are equal and 0 otherwise.
 * Pure computation.
 */

export function adjustedRandIndex (truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = truth.length
  if (predicted.length !== n) throw new RangeError(`adjustedRandIndex: ${n} true labels but ${predicted.length} predicted`)
  if (n < 2) return 1
  const dense = (labels: ArrayLike<number>): { ids: Int32Array, count: number } => {
    const map = new Map<number, number>()
    const ids = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      let id = map.get(labels[i]!)
      if (id === undefined) { id = map.size; map.set(labels[i]!, id) }
      ids[i] = id
    }
    return { ids, count: map.size }
  }
  const a = dense(truth)
  const b = dense(predicted)
  const pairs = (x: number): number => x * (x - 1) / 2
  const rows = new Float64Array(a.count)
  const cols = new Float64Array(b.count)
  const cells = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    rows[a.ids[i]!]!++
    cols[b.ids[i]!]!++
    const key = a.ids[i]! * b.count + b.ids[i]!
    cells.set(key, (cells.get(key) ?? 0) + 1)
  }
  let index = 0
  for (const c of cells.values()) index += pairs(c)
  let sumRows = 0
  for (const r of rows) sumRows += pairs(r)
  let sumCols = 0
  for (const c of cols) sumCols += pairs(c)
  const expected = sumRows * sumCols / pairs(n)
  const max = (sumRows + sumCols) / 2
  if (max === expected) return index === expected && sumRows === sumCols && cells.size === a.count && cells.size === b.count ? 1 : 0
  return (index - expected) / (max - expected)
}
