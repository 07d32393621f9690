/**
 * `xest study --jobs N`: the study's policies run at once in up to N worker processes. Each
 * worker loads the trace and builds the group table once, then runs the policies it is handed
 * one at a time (on stdin, a name a line) and answers each with a JSON line of the setup's facts
 * and the policy's metrics; the parent hands out the next policy as a worker finishes one and
 * assembles the metrics in the order asked for. A policy's run depends only on the config and
 * seed, so the result files are identical to a one-process run. The config travels to the
 * workers as JSON in XEST_STUDY_CONFIG (Infinity as null).
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type { StudyConfig } from '../../../../sim/study/study-config.ts'
import type { PolicyMetrics } from '../../../../sim/study/study-metrics.ts'
import { assembleStudy, prepareStudy, runPolicy, studyFacts, type StudyFacts, type StudyResult, type StudySetup } from '../../../../sim/study/study-scenario.ts'
import type { StudyPolicy } from '../../../../sim/study/vm-replay.ts'
import { EXIT_USAGE, UsageError } from '../../handle-errors.ts'

const BIN = path.resolve(import.meta.dirname, '../../../../bin/xest.js')
const CONFIG_ENV = 'XEST_STUDY_CONFIG'
/**
 * A policy run keeps many objects alive for a few thousand events (messages in flight, pending
 * fetches, timers): a young generation of 64 MB lets most of them die there instead of being
 * promoted and collected from old space, and cuts the page faults of a growing old space.
 */
const WORKER_V8_FLAGS = ['--max-semi-space-size=64']

interface WorkerAnswer {
  facts: StudyFacts
  metrics: PolicyMetrics
}

export async function runStudyInJobs (config: StudyConfig, jobs: number): Promise<StudyResult> {
  const env = { ...process.env, [CONFIG_ENV]: JSON.stringify({ ...config, subgroupMax: Number.isFinite(config.subgroupMax) ? config.subgroupMax : null }) }
  const answers = new Map<StudyPolicy, WorkerAnswer>()
  const queue = [...config.policies]
  const workers = Array.from({ length: Math.min(jobs, queue.length) }, () => runWorker(env, queue, answers))
  await Promise.all(workers)
  const first = answers.get(config.policies[0]!)!
  return assembleStudy(config, first.facts, config.policies.map((p) => answers.get(p)!.metrics))
}

/** One worker process: handed policies from `queue` until it is empty, each answer kept. */
function runWorker (env: NodeJS.ProcessEnv, queue: StudyPolicy[], answers: Map<StudyPolicy, WorkerAnswer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...WORKER_V8_FLAGS, BIN, 'study', '--policy-worker'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    let current: StudyPolicy | undefined
    let failure: Error | null = null
    const next = (): void => {
      current = queue.shift()
      if (current === undefined) child.stdin.end()
      else child.stdin.write(`${current}\n`)
    }
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.stdin.on('error', () => {}) // a worker that died is reported by 'close'
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (current === undefined || failure !== null) return
      try {
        answers.set(current, JSON.parse(line) as WorkerAnswer)
      } catch (error) {
        failure = new Error(`policy ${current}: the worker printed no metrics (${String(error)})`)
        child.kill()
        return
      }
      next()
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (failure !== null) { reject(failure); return }
      if (code !== 0 || current !== undefined) {
        // The worker's own message (it has the same error boundary), or how it died.
        const said = stderr.trim().replace(/^xest: /, '')
        const message = said !== '' ? said : `the study worker ${signal === null ? `exited with ${code}` : `was killed by ${signal}`}`
        reject(code === EXIT_USAGE ? new UsageError(message) : new Error(current === undefined ? message : `policy ${current}: ${message}`))
        return
      }
      resolve()
    })
    next()
  })
}

/**
 * In a worker: the study in XEST_STUDY_CONFIG set up once, then each policy named on stdin run
 * and answered with a JSON line on stdout. Ends when stdin does.
 */
export async function runPolicyWorker (): Promise<void> {
  const text = process.env[CONFIG_ENV]
  if (text === undefined) throw new Error(`--policy-worker runs only under xest study --jobs (${CONFIG_ENV} is not set)`)
  const parsed = JSON.parse(text) as StudyConfig & { subgroupMax: number | null }
  const config: StudyConfig = { ...parsed, subgroupMax: parsed.subgroupMax ?? Infinity }
  let setup: StudySetup | null = null
  const lines = createInterface({ input: process.stdin })
  try {
    for await (const line of lines) {
      const policy = line.trim() as StudyPolicy
      if (!config.policies.includes(policy)) throw new Error(`--policy-worker: ${policy} is not one of the study's policies`)
      setup ??= prepareStudy(config)
      const answer: WorkerAnswer = { facts: studyFacts(config, setup), metrics: runPolicy(config, setup, policy) }
      process.stdout.write(JSON.stringify(answer) + '\n')
    }
  } catch (error) {
    // As in one process: a study the config cannot make is a usage error.
    throw error instanceof RangeError ? new UsageError(error.message) : error
  } finally {
    // A failed worker must not wait on its open stdin: it exits with the error.
    lines.close()
    process.stdin.destroy()
  }
}
