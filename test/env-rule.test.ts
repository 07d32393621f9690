import test from 'ava'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Files allowed to touch real time, timers, randomness, sockets or the console. */
const ALLOWED = [
  /^src\/env\/system-clock\.ts$/, /^src\/env\/udp-port\.ts$/, /^src\/env\/tcp-listener\.ts$/, /^src\/env\/console-logger\.ts$/, /^src\/cli\//
]
const FORBIDDEN = [
  /\bDate\.now\s*\(/, /\bnew Date\s*\(/, /\bMath\.random\s*\(/, /\bsetTimeout\s*\(/, /\bsetInterval\s*\(/,
  /\bsetImmediate\s*\(/, /\bperformance\.now\s*\(/, /\bprocess\.hrtime/, /['"]node:dgram['"]/, /['"]dgram['"]/, /['"]node:net['"]/,
  /\bconsole\.(log|error|warn|info)\s*\(/
]

function walk (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : []
  })
}

test('protocol code touches time, timers, randomness and sockets only through the environment', (t) => {
  const offences: string[] = []
  for (const file of [...walk(join(root, 'src')), ...walk(join(root, 'sim'))]) {
    const rel = relative(root, file)
    if (ALLOWED.some((re) => re.test(rel))) continue
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '')
      if (/^\s*\*/.test(code)) return
      for (const re of FORBIDDEN) if (re.test(code)) offences.push(`${rel}:${i + 1}: ${line.trim()}`)
    })
  }
  t.deepEqual(offences, [])
})

test('src never imports sim (except the CLI, the application edge that runs both)', (t) => {
  const offences = walk(join(root, 'src'))
    .filter((file) => !relative(root, file).startsWith('src/cli/'))
    .filter((file) => /from\s+['"][./]*\/sim\//.test(readFileSync(file, 'utf8')))
  t.deepEqual(offences.map((f) => relative(root, f)), [])
})
