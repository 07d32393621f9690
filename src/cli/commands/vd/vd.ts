/**
 * The `xest vd` operations over a local store directory: opens the repository, runs one
 * operation, prints text or JSON. Wall-clock time for snapshots comes from here (the CLI edge);
 * VD ids are drawn from a seeded Rng whose seed is random unless --seed is given.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { resolve as resolvePath } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SeededRng } from '../../../env/rng.ts'
import { CommonalityScan } from '../../../vd/commonality.ts'
import type { MapEntry } from '../../../vd/map-entry.ts'
import { ResolverRegistry, parseRule, type Resolver } from '../../../vd/resolvers.ts'
import { VdRepository } from '../../../vd/vd-repository.ts'
import { UsageError } from '../../handle-errors.ts'
import { toJson } from '../../json.ts'
import type { VdArgs } from './command.ts'
import { formatBytes, formatChange, formatConflict, formatEntry } from './vd-format.ts'

function storeDir (args: VdArgs): string {
  const dir = args.store ?? process.env.XEST_STORE
  if (dir === undefined || dir === '') throw new UsageError('name a store directory with --store DIR or XEST_STORE')
  return resolvePath(dir)
}

function parseMode (text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^[0-7]{1,4}$/.test(text)) throw new UsageError(`--mode "${text}": expected octal permission bits such as 644`)
  return parseInt(text, 8)
}

function print (args: VdArgs, json: unknown, text: string): void {
  process.stdout.write(args.json ? toJson(json) + '\n' : text + (text.endsWith('\n') || text === '' ? '' : '\n'))
}

export async function runVd (args: VdArgs): Promise<void> {
  const seed = args.seed ?? randomBytes(16).toString('hex')
  const repo = VdRepository.openDir(storeDir(args), new SeededRng(seed))
  const nowMs = Date.now()
  switch (args.op) {
    case 'import': {
      const source = args.source!
      const st = statSync(source)
      const image = args.image ?? st.isFile()
      const started = performance.now()
      const options = { name: args.name!, timeMs: nowMs, ...(args.message !== undefined ? { message: args.message } : {}) }
      const r = image ? repo.importImage(source, options) : repo.importTree(source, options)
      const seconds = (performance.now() - started) / 1000
      const logical = r.tree?.logicalBytes ?? r.image?.imageSizeBytes ?? 0
      const out = { vdId: r.vd.id, name: r.vd.name, snapshot: r.snapshotId, tree: r.tree, image: r.image, objects: r.objects, mapNodesWritten: r.map.nodesWritten, seconds, mbPerS: logical / 1e6 / seconds }
      const what = r.tree !== undefined ? `${r.tree.files} files, ${r.tree.dirs} dirs, ${r.tree.symlinks} symlinks${r.tree.skipped.length > 0 ? `, ${r.tree.skipped.length} skipped` : ''}` : `${r.image!.blocks} blocks (${r.image!.zeroBlocks} zero)`
      print(args, out, `imported ${source} as VD "${r.vd.name}" ${r.vd.id}\nsnapshot ${r.snapshotId}\n${what}, ${formatBytes(logical)} in ${seconds.toFixed(2)} s (${out.mbPerS.toFixed(1)} MB/s)\n` +
        `stored ${r.objects.storedObjects} new objects (${formatBytes(r.objects.storedBytes)}), ${r.objects.dedupedObjects} already present (${formatBytes(r.objects.dedupedBytes)})` +
        (r.tree !== undefined && r.tree.skipped.length > 0 ? '\n' + r.tree.skipped.slice(0, 20).map((s) => `skipped ${s.path}: ${s.reason}`).join('\n') : ''))
      return
    }
    case 'write': {
      const vd = repo.open(args.vd!)
      const file = args.file
      const fromStdin = file === undefined || file === '-'
      const mode = parseMode(args.mode) ?? (fromStdin ? 0o644 : statSync(file).mode & 0o7777)
      const entry = fromStdin ? vd.writeFile(args.path!, readFileSync(0), { mode, mtimeMs: nowMs }) : vd.writeLocalFile(args.path!, file, { mode, mtimeMs: nowMs })
      vd.save()
      print(args, { vd: vd.name, path: args.path, entry, staged: vd.stagedCount }, `staged ${args.path} (${formatBytes(entry.sizeBytes)}); ${vd.stagedCount} staged changes in "${vd.name}"`)
      return
    }
    case 'rm': {
      const vd = repo.open(args.vd!)
      const removed = vd.remove(args.path!, { recursive: args.recursive === true })
      vd.save()
      print(args, { vd: vd.name, path: args.path, removed, staged: vd.stagedCount }, `staged removal of ${removed} entr${removed === 1 ? 'y' : 'ies'}; ${vd.stagedCount} staged changes in "${vd.name}"`)
      return
    }
    case 'mkdir': {
      const vd = repo.open(args.vd!)
      vd.mkdir(args.path!, { mode: parseMode(args.mode) ?? 0o755, mtimeMs: nowMs })
      vd.save()
      print(args, { vd: vd.name, path: args.path, staged: vd.stagedCount }, `staged directory ${args.path}`)
      return
    }
    case 'snapshot': {
      const vd = repo.open(args.vd!)
      const started = performance.now()
      const r = vd.snapshot({ timeMs: nowMs, ...(args.message !== undefined ? { message: args.message } : {}) })
      const ms = performance.now() - started
      print(args, { vd: vd.name, ...r, ms }, r.created
        ? `snapshot ${r.snapshotId} of "${vd.name}": ${r.changes} changes, ${r.map.nodesVisited} map nodes visited, ${r.map.nodesWritten} written, ${ms.toFixed(1)} ms`
        : `nothing staged; "${vd.name}" stays at ${r.snapshotId}`)
      return
    }
    case 'fork': {
      const vd = repo.fork(args.snapshot!, { name: args.name!, timeMs: nowMs })
      print(args, { vdId: vd.id, name: vd.name, base: vd.base }, `forked ${vd.base} as VD "${vd.name}" ${vd.id}`)
      return
    }
    case 'merge': {
      const registry = new ResolverRegistry()
      if (args.resolvers !== undefined) {
        const mod = await import(pathToFileURL(resolvePath(args.resolvers)).href) as Record<string, unknown>
        for (const [name, fn] of Object.entries(mod)) if (typeof fn === 'function' && name !== 'default') registry.register(name, fn as Resolver)
      }
      for (const text of args.resolve ?? []) {
        const rule = parseRule(text)
        try {
          registry.rule(rule.pattern, rule.resolver)
        } catch (error) {
          throw new UsageError((error as Error).message)
        }
      }
      const r = repo.merge(args.ours!, args.theirs!, { registry, timeMs: nowMs, ...(args.message !== undefined ? { message: args.message } : {}) })
      const lines = r.conflicts.map(formatConflict)
      const head = !r.ok
        ? `merge refused: ${r.unresolved} of ${r.conflicts.length} conflicts unresolved; nothing written`
        : r.created ? `merge snapshot ${r.snapshotId}: ${r.changes} changes to ours (${r.cleanFromTheirs} clean from theirs), ${r.conflicts.length} conflicts resolved` : `already merged: "${args.ours}" contains ${args.theirs}`
      print(args, r, [head, ...lines].join('\n'))
      if (!r.ok) process.exitCode = 1
      return
    }
    case 'log': {
      const log = repo.log(args.vd!)
      const vdId = repo.findVd(args.vd!).id
      print(args, log, log.map(({ id, record }) => `${id}  ${new Date(record.timeMs).toISOString()}  ${record.parents.length > 1 ? '(merge) ' : ''}${record.vdId !== vdId ? '(from another VD) ' : ''}${record.message}`).join('\n'))
      return
    }
    case 'diff': {
      const started = performance.now()
      const r = repo.diff(args.a!, args.b!)
      const ms = performance.now() - started
      print(args, { ...r, ms }, [...r.changes.map(formatChange), `${r.changes.length} changes; ${r.map.nodesVisited} map nodes visited, ${ms.toFixed(1)} ms`].join('\n'))
      return
    }
    case 'ls': {
      const dir = args.dir === undefined ? null : args.dir.replace(/^\/+|\/+$/g, '')
      const entries = repo.entries(args.snapshot!).filter(([k]) => dir === null || dir === '' || k.startsWith(dir + '/'))
      print(args, entries.map(([path, entry]) => ({ path, ...entry })), entries.map(([k, e]: [string, MapEntry]) => formatEntry(k, e)).join('\n'))
      return
    }
    case 'cat': {
      process.stdout.write(repo.readFile(args.snapshot!, args.path!))
      return
    }
    case 'export': {
      const started = performance.now()
      const stats = repo.export(args.snapshot!, args.out!)
      const seconds = (performance.now() - started) / 1000
      print(args, { ...stats, seconds }, `exported ${args.snapshot} to ${args.out}: ${JSON.stringify(stats)} in ${seconds.toFixed(2)} s`)
      return
    }
    case 'status': {
      const vd = repo.open(args.vd!)
      const staged = [...vd.record.staged].sort((a, b) => (a[0] < b[0] ? -1 : 1))
      print(args, { vd: vd.name, id: vd.id, kind: vd.kind, base: vd.base, staged: staged.map(([path, entry]) => ({ path, entry })) },
        [`VD "${vd.name}" ${vd.id} (${vd.kind}) at ${vd.base ?? '(no snapshot)'}`, ...staged.map(([k, e]) => e === null ? `  deleted  ${k}` : `  staged   ${formatEntry(k, e)}`)].join('\n'))
      return
    }
    case 'list': {
      const records = repo.catalog.list()
      print(args, records.map((r) => ({ id: r.id, name: r.name, kind: r.kind, snapshots: r.snapshots.length, head: r.base, staged: r.staged.size })),
        records.map((r) => `${r.id}  ${r.name}  ${r.kind}  ${r.snapshots.length} snapshots${r.staged.size > 0 ? `, ${r.staged.size} staged` : ''}`).join('\n'))
      return
    }
    case 'common': {
      const budget = args.budget ?? 100_000
      if (!(budget >= 1)) throw new UsageError('--budget must be at least 1')
      const scan = new CommonalityScan(repo.store, repo.catalog.list().map((r) => ({ id: r.id, name: r.name, snapshots: r.snapshots })))
      let steps = 0
      while (!scan.step(budget)) steps++
      const r = scan.report()
      const lines = [
        ...r.vds.map((v) => `${v.name.padEnd(20)} family ${v.family}  ${String(v.objects).padStart(8)} objects  ${formatBytes(v.bytes).padStart(10)}  exclusive ${formatBytes(v.exclusiveBytes)}`),
        `stored once: ${r.objects} objects, ${formatBytes(r.bytes)}; referenced ${formatBytes(r.referencedBytes)}; saved ${formatBytes(r.savedBytes)} (${r.sharedObjects} shared objects)`,
        `across unrelated VDs: ${r.acrossFamilies.objects} objects, ${formatBytes(r.acrossFamilies.bytes)}, saved ${formatBytes(r.acrossFamilies.savedBytes)}`,
        `same files under different chunkings: ${r.sameContentDifferentChunking.length}${r.missingObjects > 0 ? `; ${r.missingObjects} objects missing` : ''}`
      ]
      print(args, { ...r, steps: steps + 1 }, lines.join('\n'))
      return
    }
    case 'mount': {
      const { runVdMount } = await import('./vd-mount.ts')
      await runVdMount(repo, args)
      return
    }
    default:
      throw new UsageError(`unknown vd operation "${args.op}"`)
  }
}
