import test from 'ava'
import { createHash } from 'node:crypto'
import { generateSyntheticVm, type SyntheticVmConfig } from '../src/trace/synthetic-vm.ts'
import { readAllRecords } from '../src/trace/open-trace.ts'
import { toReferenceString } from '../src/trace/reference-string.ts'

const small: SyntheticVmConfig = { seed: 5, objects: 2000, references: 40_000, sets: 5, phaseReferences: 500 }

function digest (config: SyntheticVmConfig): string {
  const hash = createHash('sha1')
  for (const chunk of generateSyntheticVm(config).chunks) hash.update(JSON.stringify(chunk))
  return hash.digest('hex')
}

test('the same seed gives the same trace and truth; another seed does not', (t) => {
  t.is(digest(small), digest(small))
  t.not(digest(small), digest({ ...small, seed: 6 }))
  t.deepEqual(generateSyntheticVm(small).truth, generateSyntheticVm(small).truth)
})

test('the truth partitions the objects into boot, shared, noise and sets, and the trace uses exactly them', (t) => {
  const vm = generateSyntheticVm(small)
  const { truth } = vm
  const all = [...truth.boot, ...truth.shared, ...truth.noise, ...truth.sets.flatMap((s) => s.keys)]
  t.is(all.length, 2000)
  t.is(new Set(all).size, 2000)
  t.is(truth.boot.length, 100)
  t.is(truth.shared.length, 40)
  t.is(truth.sets.length, 5)
  const records = readAllRecords(vm.chunks)
  t.is(records.length, 40_000)
  t.deepEqual(records.slice(0, truth.boot.length).map((r) => r.key), truth.boot, 'the boot reads its files first, in order')
  t.true(records.every((r, i) => i === 0 || r.timeUs > (records[i - 1]?.timeUs as number)), 'times increase')
  const setOf = new Map(truth.sets.flatMap((s) => s.keys.map((k) => [k, s.process] as const)))
  const shared = new Set(truth.shared)
  const noise = new Set(truth.noise)
  for (const record of records.slice(truth.boot.length)) {
    const process = setOf.get(record.key)
    if (process !== undefined) t.is(record.process, process)
    else if (noise.has(record.key)) t.is(record.process, 'noise')
    else t.true(shared.has(record.key) && /^service\d+$/.test(record.process ?? ''), record.key)
  }
  const byShared = records.filter((r) => shared.has(r.key)).length / records.length
  t.true(byShared > 0.1 && byShared < 0.2, `shared share ${byShared}`)
  const usersOfShared = new Set(records.filter((r) => shared.has(r.key)).map((r) => r.process))
  t.true(usersOfShared.size >= 4, 'shared libraries are used by (nearly) every set')
})

test('a set is used in phases: its references cluster in time', (t) => {
  const vm = generateSyntheticVm(small)
  const records = readAllRecords(vm.chunks).slice(vm.truth.boot.length)
  let switches = 0
  let last = ''
  for (const record of records) {
    if (record.process === 'noise' || record.process === undefined) continue
    if (record.process !== last) switches++
    last = record.process
  }
  t.true(switches < records.length / 100, `${switches} phase switches over ${records.length} references`)
})

test('referenceString() equals toReferenceString of the records', (t) => {
  const vm = generateSyntheticVm(small)
  const direct = vm.referenceString()
  const viaRecords = toReferenceString(vm.chunks)
  t.deepEqual(direct.keys, viaRecords.keys)
  t.deepEqual([...direct.refs], [...viaRecords.refs])
  t.deepEqual([...direct.sizesBytes], [...viaRecords.sizesBytes])
})

test('bad configurations are rejected with the field named', (t) => {
  t.throws(() => generateSyntheticVm({ seed: 1, objects: 0 }), { message: /objects 0/ })
  t.throws(() => generateSyntheticVm({ seed: 1, objects: 50, sets: 10 }), { message: /too few/ })
  t.throws(() => generateSyntheticVm({ seed: 1, noiseProbability: 2 }), { message: /noiseProbability 2/ })
})
