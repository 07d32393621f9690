/**
 * `xest trace generate`: writes a synthetic VM trace (synthetic-vm.ts) as `.xtrace` and its true
 * working sets as JSON beside it, both reproducible from the seed.
 */
import { writeFileSync } from 'node:fs'
import { toJson } from '../../json.ts'
import { generateSyntheticVm } from '../../../trace/synthetic-vm.ts'
import { writeXtrace } from '../../../trace/xtrace-writer.ts'
import type { TraceGenerateArgs } from './command.ts'

export function truthPathFor (out: string): string {
  return out.replace(/\.xtrace$/, '') + '.sets.json'
}

export function runTraceGenerate (args: TraceGenerateArgs): void {
  const startedMs = performance.now()
  const vm = generateSyntheticVm({
    seed: args.seed, objects: args.objects, references: args.references, sets: args.sets,
    noiseProbability: args.noise, sharedProbability: args.shared, phaseReferences: args.phase
  })
  const truthPath = args.truth ?? truthPathFor(args.out)
  const written = writeXtrace(args.out, vm.chunks, { generator: 'synthetic-vm', config: vm.truth.config, truth: truthPath })
  writeFileSync(truthPath, JSON.stringify(vm.truth) + '\n')
  const summary = { out: args.out, truth: truthPath, seed: args.seed, records: written.records, objects: args.objects, sets: args.sets, fileBytes: written.fileBytes, wallMs: Math.round(performance.now() - startedMs) }
  if (args.json) process.stdout.write(toJson(summary) + '\n')
  else process.stdout.write(`${written.records} references over ${args.objects} objects in ${args.sets} sets (seed ${args.seed}) -> ${args.out} (${written.fileBytes} bytes), truth -> ${truthPath}, ${(summary.wallMs / 1000).toFixed(1)} s\n`)
}
