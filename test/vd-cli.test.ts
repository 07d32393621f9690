import test from 'ava'
import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../bin/xest.js', import.meta.url))

function xest (args: string[], options: { input?: string, env?: Record<string, string> } = {}): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { env: { ...process.env, XEST_STORE: '', ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    })
    child.stdin!.end(options.input ?? '')
  })
}

test('xest vd: import, write, snapshot, log, diff, fork, merge (refused, then resolved), export, cat, common', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xest-vd-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const src = join(dir, 'src')
  mkdirSync(join(src, 'etc'), { recursive: true })
  writeFileSync(join(src, 'etc/app.conf'), 'port=1\n')
  writeFileSync(join(src, 'big.bin'), Buffer.alloc(100_000, 7))
  symlinkSync('etc/app.conf', join(src, 'conf'))
  const store = ['--store', join(dir, 'store')]

  const noStore = await xest(['vd', 'list'])
  t.is(noStore.code, 2)
  t.regex(noStore.stderr, /--store DIR or XEST_STORE/)

  const imported = await xest(['vd', 'import', src, '--name', 'web', '--seed', '7', '--json', ...store])
  t.is(imported.code, 0, imported.stderr)
  const imp = JSON.parse(imported.stdout)
  t.like(imp.tree, { files: 2, dirs: 1, symlinks: 1 })
  t.regex(imp.snapshot, /^[0-9a-f]{40}$/)

  writeFileSync(join(dir, 'motd'), 'hello\n')
  t.is((await xest(['vd', 'write', 'web', 'etc/motd', join(dir, 'motd'), ...store])).code, 0)
  t.is((await xest(['vd', 'write', 'web', 'etc/stdin.txt', '--mode', '600', ...store], { input: 'from stdin\n' })).code, 0)
  const snap = JSON.parse((await xest(['vd', 'snapshot', 'web', '-m', 'two files', '--json', ...store])).stdout)
  t.like(snap, { created: true, changes: 2 })
  const log = JSON.parse((await xest(['vd', 'log', 'web', '--json'], { env: { XEST_STORE: join(dir, 'store') } })).stdout)
  t.deepEqual(log.map((l: { record: { message: string } }) => l.record.message), ['two files', `import ${src}`])
  const diff = JSON.parse((await xest(['vd', 'diff', 'web~1', 'web', '--json', ...store])).stdout)
  t.deepEqual(diff.changes.map((c: { key: string }) => c.key), ['etc/motd', 'etc/stdin.txt'])

  t.is((await xest(['vd', 'fork', 'web', '--name', 'test', ...store])).code, 0)
  writeFileSync(join(dir, 'ours.conf'), 'port=2\n')
  writeFileSync(join(dir, 'theirs.conf'), 'port=3\n')
  await xest(['vd', 'write', 'web', 'etc/app.conf', join(dir, 'ours.conf'), ...store])
  await xest(['vd', 'snapshot', 'web', ...store])
  await xest(['vd', 'write', 'test', 'etc/app.conf', join(dir, 'theirs.conf'), ...store])
  await xest(['vd', 'snapshot', 'test', ...store])
  const refused = await xest(['vd', 'merge', 'web', 'test', ...store])
  t.is(refused.code, 1)
  t.regex(refused.stdout, /merge refused: 1 of 1 conflicts unresolved; nothing written/)
  t.regex(refused.stdout, /modify\/modify etc\/app\.conf/)
  t.is(JSON.parse((await xest(['vd', 'log', 'web', '--json', ...store])).stdout).length, 3)

  writeFileSync(join(dir, 'resolvers.mjs'), `export function maxPort (c, ctx) {
    const port = (e) => Number(new TextDecoder().decode(ctx.read(e)).split('=')[1])
    const best = port(c.ours) >= port(c.theirs) ? c.ours : c.theirs
    return { entry: ctx.storeFile(ctx.read(best), best.mode, best.mtimeMs) }
  }\n`)
  const bad = await xest(['vd', 'merge', 'web', 'test', '--resolve', '*.conf=nope', ...store])
  t.is(bad.code, 2)
  t.regex(bad.stderr, /unknown resolver "nope"/)
  const merged = await xest(['vd', 'merge', 'web', 'test', '--resolvers', join(dir, 'resolvers.mjs'), '--resolve', 'etc/*.conf=maxPort', '--json', ...store])
  t.is(merged.code, 0, merged.stderr)
  t.like(JSON.parse(merged.stdout), { ok: true, created: true, unresolved: 0 })
  t.is((await xest(['vd', 'cat', 'web', 'etc/app.conf', ...store])).stdout, 'port=3\n')

  const out = join(dir, 'out')
  t.is((await xest(['vd', 'export', 'web~3', out, ...store])).code, 0)
  t.is(execFileSync('diff', ['-r', '--no-dereference', src, out]).toString(), '')
  t.is(readFileSync(join(out, 'big.bin')).length, 100_000)

  const common = JSON.parse((await xest(['vd', 'common', '--json', '--budget', '5', ...store])).stdout)
  t.true(common.done)
  t.true(common.steps > 1)
  t.is(common.vds.length, 2)
  t.is(common.acrossFamilies.objects, 0, 'a fork is the same family')
  const du = await xest(['vd', 'du', ...store])
  t.regex(du.stdout, /stored once: \d+ objects/)

  const missing = await xest(['vd', 'cat', 'web', 'no/such', ...store])
  t.is(missing.code, 1)
  t.regex(missing.stderr, /no such file/)
})
