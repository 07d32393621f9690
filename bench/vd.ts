/**
 * Benchmark of the local virtual-disk core, in one run:
 *  1. chunking throughput (in memory) of 64 MiB of random bytes;
 *  2. import of a real tree of at least 50 MB (default: this project's node_modules) beside
 *     `cp -r` of the same tree (page cache warmed first, each timed twice, best shown); export and
 *     `diff -r`; a second, similar tree (a copy with 1 % of files changed and some added/removed)
 *     imported into the same store, with its dedup ratio; the commonality report of the two;
 *  3. snapshot and diff cost with 10 changed entries in VDs of 1,000 and 100,000 objects (disk
 *     store, diff on a cold map cache): map nodes visited and written, and wall time.
 *
 *   node --import tsx bench/vd.ts [--tree DIR] [--objects 100000] [--keep]
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SeededRng } from '../src/env/rng.ts'
import { Chunker } from '../src/vd/chunker.ts'
import { CommonalityScan } from '../src/vd/commonality.ts'
import { VdRepository } from '../src/vd/vd-repository.ts'
import { numberFlag } from './flags.ts'

const args = process.argv.slice(2)
const treeAt = args.indexOf('--tree')
const tree = resolve(treeAt >= 0 ? args[treeAt + 1]! : fileURLToPath(new URL('../node_modules', import.meta.url)))
const bigObjects = numberFlag(args, 'objects', 100_000)
const keep = args.includes('--keep')
const work = mkdtempSync(join(tmpdir(), 'xest-bench-vd-'))
const T0 = 1_700_000_000_000
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1)
const time = <T>(run: () => T): [T, number] => {
  const started = performance.now()
  const value = run()
  return [value, (performance.now() - started) / 1000]
}

try {
  chunking()
  realTree()
  mapCost(1000)
  mapCost(bigObjects)
} finally {
  if (keep) console.log(`kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}

function chunking (): void {
  const data = Buffer.from(new SeededRng('bench').bytes(64 << 20))
  const chunker = new Chunker()
  chunker.boundaries(data.subarray(0, 1 << 20))
  const [ends, seconds] = time(() => chunker.boundaries(data))
  console.log(`chunking: ${mb(data.length)} MB in ${seconds.toFixed(3)} s = ${(data.length / 1e6 / seconds).toFixed(0)} MB/s, ${ends.length} chunks, mean ${(data.length / ends.length).toFixed(0)} B`)
}

/** Bytes of all regular files (hard links counted each time, as cp -r and import read them). */
function fileBytes (dir: string): number {
  return Number(execFileSync('du', ['-sbl', dir]).toString().split('\t')[0])
}

function realTree (): void {
  const sizeBytes = fileBytes(tree)
  console.log(`\ntree ${tree}: ${mb(sizeBytes)} MB (du -sbl: hard links counted each time)${sizeBytes < 50e6 ? '  WARNING: under 50 MB, pass --tree DIR' : ''}`)
  spawnSync('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', tree])
  const cpSeconds: number[] = []
  const importSeconds: number[] = []
  let imported: ReturnType<VdRepository['importTree']> | undefined
  let repo: VdRepository | undefined
  for (let rep = 0; rep < 2; rep++) {
    const copy = join(work, `cp-${rep}`)
    cpSeconds.push(time(() => execFileSync('cp', ['-r', tree, copy]))[1])
    rmSync(copy, { recursive: true, force: true })
    const storeDir = join(work, `store-${rep}`)
    rmSync(storeDir, { recursive: true, force: true })
    repo = VdRepository.openDir(storeDir, new SeededRng('bench'))
    const r = time(() => repo!.importTree(tree, { name: 'tree', timeMs: T0 }))
    imported = r[0]
    importSeconds.push(r[1])
  }
  rmSync(join(work, 'store-0'), { recursive: true, force: true })
  const stats = imported!.tree!
  const bestCp = Math.min(...cpSeconds)
  const bestImport = Math.min(...importSeconds)
  console.log(`cp -r:  ${cpSeconds.map((s) => s.toFixed(2)).join(' s, ')} s; best ${(sizeBytes / 1e6 / bestCp).toFixed(1)} MB/s`)
  console.log(`import: ${importSeconds.map((s) => s.toFixed(2)).join(' s, ')} s; best ${(stats.logicalBytes / 1e6 / bestImport).toFixed(1)} MB/s of file bytes ` +
    `(${stats.files} files, ${stats.dirs} dirs, ${stats.symlinks} symlinks, ${stats.chunks} chunks, ${stats.skipped.length} skipped)`)
  console.log(`        stored ${imported!.objects.storedObjects} objects, ${mb(imported!.objects.storedBytes)} MB of ${mb(stats.logicalBytes)} MB file bytes ` +
    `(identical chunks within the tree: ${imported!.objects.dedupedObjects}, ${mb(imported!.objects.dedupedBytes)} MB); ${imported!.map.nodesWritten} map nodes`)

  const out = join(work, 'export')
  const [, exportSeconds] = time(() => repo!.export('tree', out))
  const diff = spawnSync('diff', ['-r', '--no-dereference', tree, out])
  console.log(`export: ${exportSeconds.toFixed(2)} s; diff -r --no-dereference: exit ${diff.status}, ${diff.stdout.length} bytes of output${diff.status === 0 ? ' (identical)' : '\n' + diff.stdout.toString().slice(0, 2000)}`)
  rmSync(out, { recursive: true, force: true })

  const similar = join(work, 'similar')
  cpSync(tree, similar, { recursive: true, verbatimSymlinks: true })
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (d.isDirectory()) walk(join(dir, d.name))
      else if (d.isFile()) files.push(join(dir, d.name))
    }
  }
  walk(similar)
  const rng = new SeededRng('similar')
  let changed = 0
  let removed = 0
  for (const file of files) {
    const roll = rng.float()
    if (roll < 0.01) { appendFileSync(file, `\n// changed by bench ${changed++}\n`) } else if (roll < 0.012) { unlinkSync(file); removed++ }
  }
  for (let i = 0; i < 20; i++) writeFileSync(join(similar, `added-${i}.bin`), rng.bytes(50_000))
  const [second, secondSeconds] = time(() => repo!.importTree(similar, { name: 'similar', timeMs: T0 }))
  const ratio = second.tree!.logicalBytes / second.objects.storedBytes
  console.log(`second, similar tree (${changed} files changed, ${removed} removed, 20 × 50 kB added): ${secondSeconds.toFixed(2)} s; ` +
    `stored ${mb(second.objects.storedBytes)} MB (${second.objects.storedObjects} objects) for ${mb(second.tree!.logicalBytes)} MB of files: ` +
    `${(100 * second.objects.storedBytes / second.tree!.logicalBytes).toFixed(2)} % stored, dedup ratio ${ratio.toFixed(1)}:1`)
  const scan = new CommonalityScan(repo!.store, repo!.catalog.list().map((r) => ({ id: r.id, name: r.name, snapshots: r.snapshots })))
  let steps = 0
  const [, scanSeconds] = time(() => { while (!scan.step(10_000)) steps++ })
  const c = scan.report()
  console.log(`commonality: ${steps + 1} steps of ≤ 10,000 objects in ${scanSeconds.toFixed(2)} s; ${c.objects} objects (${mb(c.bytes)} MB) stored once, ` +
    `${mb(c.referencedBytes)} MB referenced, ${mb(c.acrossFamilies.savedBytes)} MB saved across the two unrelated VDs`)
  rmSync(similar, { recursive: true, force: true })
}

function mapCost (objects: number): void {
  const storeDir = join(work, `map-${objects}`)
  const repo = VdRepository.openDir(storeDir, new SeededRng('map'))
  const vd = repo.create(`vd-${objects}`, 'tree', T0)
  const enc = new TextEncoder()
  const [, buildSeconds] = time(() => {
    for (let i = 0; i < objects; i++) vd.writeFile(`d${i % 100}/f${i}`, enc.encode(`object ${i}\n`), { mtimeMs: T0 })
    vd.snapshot({ timeMs: T0, message: 'build' })
  })
  const cold = VdRepository.openDir(storeDir, new SeededRng('map'))
  const head = cold.open(`vd-${objects}`)
  const nodes = [...cold.map.nodeIds(cold.snapshot(head.base!).root)].length
  for (let k = 0; k < 10; k++) {
    const i = Math.floor((k + 0.5) * objects / 10)
    head.writeFile(`d${i % 100}/f${i}`, enc.encode(`object ${i} changed\n`), { mtimeMs: T0 + 1 })
  }
  const fresh = VdRepository.openDir(storeDir, new SeededRng('map'))
  head.save()
  const [snap, snapSeconds] = time(() => fresh.open(`vd-${objects}`).snapshot({ timeMs: T0 + 1, message: '10 changed' }))
  const diffRepo = VdRepository.openDir(storeDir, new SeededRng('map'))
  const [diff, diffSeconds] = time(() => diffRepo.diff(`vd-${objects}~1`, `vd-${objects}`))
  console.log(`\nVD of ${objects.toLocaleString('en')} files in 100 dirs (${nodes} map nodes; built in ${buildSeconds.toFixed(1)} s), 10 changed:`)
  console.log(`  snapshot: ${snap.changes} changes, ${snap.map.nodesVisited} nodes visited (${snap.map.nodesLoaded} read from disk), ${snap.map.nodesWritten} written (${snap.map.bytesWritten} B), ${(snapSeconds * 1000).toFixed(1)} ms`)
  console.log(`  diff:     ${diff.changes.length} changes, ${diff.map.nodesVisited} nodes visited (${diff.map.nodesLoaded} read from disk) of ${2 * nodes} in the two maps, ${(diffSeconds * 1000).toFixed(1)} ms`)
  rmSync(storeDir, { recursive: true, force: true })
}
