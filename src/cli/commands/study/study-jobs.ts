/**
 * `xest study --jobs N`: the study's policies run at once in up to N child processes (each loads
 * the trace and builds the group table itself, then runs one policy), and the parent assembles
 * their metrics in the order asked for. A policy's run depends only on the config and seed, so
 * the result files are identical to a one-process run. The config travels to the child as JSON
 * in XEST_STUDY_CONFIG (Infinity as null); the child prints its metrics as JSON on stdout.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import type { StudyConfig } from '../../../../sim/study/study-config.ts'
import type { PolicyMetrics } from '../../../../sim/study/study-metrics.ts'
import { assembleStudy, prepareStudy, runPolicy, type StudyResult } from '../../../../sim/study/study-scenario.ts'
import type { StudyPolicy } from '../../../../sim/study/vm-replay.ts'

const BIN = path.resolve(import.meta.dirname, '../../../../bin/xest.js')
const CONFIG_ENV = 'XEST_STUDY_CONFIG'

export async function runStudyInJobs (config: StudyConfig, jobs: number): Promise<StudyResult> {
  const env = { ...process.env, [CONFIG_ENV]: JSON.stringify({ ...config, subgroupMax: Number.isFinite(config.subgroupMax) ? config.subgroupMax : null }) }
  const metrics = new Map<StudyPolicy, PolicyMetrics>()
  const queue = [...config.policies]
  const worker = async (): Promise<void> => {
    for (let policy = queue.shift(); policy !== undefined; policy = queue.shift()) metrics.set(policy, await runChild(policy, env))
  }
  const running = Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker))
  // Children wait on their pipes while this process builds the same setup for the summary.
  const setup = prepareStudy(config)
  await running
  return assembleStudy(config, setup, config.policies.map((p) => metrics.get(p)!))
}

function runChild (policy: StudyPolicy, env: NodeJS.ProcessEnv): Promise<PolicyMetrics> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'study', '--policy-worker', policy], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code !== 0) { reject(new Error(`policy ${policy}: the worker ${signal === null ? `exited with ${code}` : `was killed by ${signal}`}: ${stderr.trim()}`)); return }
      try {
        resolve(JSON.parse(stdout) as PolicyMetrics)
      } catch (error) {
        reject(new Error(`policy ${policy}: the worker printed no metrics (${String(error)})`))
      }
    })
  })
}

/** In the child: one policy of the study in XEST_STUDY_CONFIG, its metrics as JSON on stdout. */
export function runPolicyWorker (policy: string): void {
  const text = process.env[CONFIG_ENV]
  if (text === undefined) throw new Error(`--policy-worker runs only under xest study --jobs (${CONFIG_ENV} is not set)`)
  const parsed = JSON.parse(text) as StudyConfig & { subgroupMax: number | null }
  const config: StudyConfig = { ...parsed, subgroupMax: parsed.subgroupMax ?? Infinity }
  if (!config.policies.includes(policy as StudyPolicy)) throw new Error(`--policy-worker: ${policy} is not one of the study's policies`)
  const metrics = runPolicy(config, prepareStudy(config), policy as StudyPolicy)
  process.stdout.write(JSON.stringify(metrics))
}
