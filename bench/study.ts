/**
 * Replay speed of the whole study (issue 9's target: ≥ 300,000 references/s): runs `runStudy`
 * on the embedded default (traces/sqlite-db.xtrace) and on a generated synthetic VM trace
 * (`--references`, default 200,000, over `--objects` files), and prints, per run, the
 * references replayed (VMs × replayed part × policies), wall time, references per second and
 * peak RSS. The fixed cost of building each policy's ring is part of the figure, as in the study.
 *
 *   node --import tsx bench/study.ts [--references 200000] [--objects 10000] [--vms 4]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_STUDY_CONFIG, type StudyConfig } from '../sim/study/study-config.ts'
import { runStudy } from '../sim/study/study-scenario.ts'
import { generateSyntheticVm } from '../src/trace/synthetic-vm.ts'
import { writeXtrace } from '../src/trace/xtrace-writer.ts'
import { numberFlag } from './flags.ts'

const argv = process.argv.slice(2)
const REFERENCES = numberFlag(argv, 'references', 200_000)
const OBJECTS = numberFlag(argv, 'objects', 10_000)
const VMS = numberFlag(argv, 'vms', 4)

function measure (label: string, config: StudyConfig): void {
  const startedMs = performance.now()
  const result = runStudy(config)
  const wallS = (performance.now() - startedMs) / 1000
  const replayed = ((result.summary.references as number) - (result.summary.trainReferences as number)) * config.vms * config.policies.length
  const rssMiB = process.resourceUsage().maxRSS / 1024
  process.stdout.write(`${label.padEnd(34)} ${replayed.toLocaleString('en').padStart(11)} references  ${wallS.toFixed(1).padStart(6)} s  ` +
    `${Math.round(replayed / wallS).toLocaleString('en').padStart(9)} references/s  peak RSS ${rssMiB.toFixed(0)} MiB\n`)
}

measure('default (sqlite-db.xtrace)', { ...DEFAULT_STUDY_CONFIG, trace: fileURLToPath(new URL('../traces/sqlite-db.xtrace', import.meta.url)), vms: VMS })
const dir = mkdtempSync(join(tmpdir(), 'xest-bench-study-'))
try {
  const path = join(dir, 'synthetic.xtrace')
  writeXtrace(path, generateSyntheticVm({ seed: 'bench-study', objects: OBJECTS, references: REFERENCES }).chunks)
  measure(`synthetic VM, ${REFERENCES.toLocaleString('en')} references`, { ...DEFAULT_STUDY_CONFIG, trace: path, fileChunkBytes: null, vms: VMS })
} finally {
  rmSync(dir, { recursive: true, force: true })
}
