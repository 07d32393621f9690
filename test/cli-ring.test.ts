import test from 'ava'
import { execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))

test('xest ring: 8 real nodes converge, every lookup is correct, and after killing a quarter the survivors repair', async (t) => {
  const result = await new Promise<{ code: number, stdout: string, stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, 'ring', '--nodes', '8', '--base-port', '47100', '--kill-fraction', '0.25', '--second-chance', '5000', '--lookups', '5', '--json'],
      { timeout: 240_000 }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }))
  })
  t.is(result.code, 0, result.stderr)
  const report = JSON.parse(result.stdout)
  t.log(JSON.stringify({ convergenceMs: report.convergenceMs, repairMs: report.kill.repairMs, p50: report.lookups.latencyMs.p50 }))
  t.is(report.lookups.issued, 40)
  t.is(report.lookups.correct, 40)
  t.is(report.kill.killed, 2)
  t.is(report.kill.lookups.correct, 30)
})

test('xest node logs its start and join, and stops cleanly on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [bin, 'node', '--port', '47200'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  // Wait for the node to be up (tsx start-up takes seconds on a loaded machine), then stop it.
  for (let waitedMs = 0; !/joined/.test(stderr) && waitedMs < 30_000; waitedMs += 100) await new Promise((resolve) => setTimeout(resolve, 100))
  child.kill('SIGTERM')
  const code = await new Promise((resolve) => child.on('exit', resolve))
  t.is(code, 0)
  t.regex(stderr, /node-start address=127\.0\.0\.1:47200 guid=[0-9a-f]{40}/)
  t.regex(stderr, /joined .*ring=new/)
  t.regex(stderr, /node-stop signal=SIGTERM/)
})

test('xest node: bad flags are usage errors', async (t) => {
  const code = await new Promise((resolve) => execFile(process.execPath, [bin, 'node', '--port', '47300', '--gateway', 'nowhere'], (error) => resolve(error?.code)))
  t.is(code, 2)
})
