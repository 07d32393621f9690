import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readAllRecords } from '../src/trace/open-trace.ts'
import { readStrace } from '../src/trace/readers/strace-reader.ts'
import { splitCall, unescapeC } from '../src/trace/readers/strace-syntax.ts'
import type { TraceRecord } from '../src/trace/trace-record.ts'
import { readXtrace } from '../src/trace/xtrace-reader.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'xest-trace-strace-'))

function parse (name: string, lines: string[]): TraceRecord[] {
  const path = join(dir, name)
  writeFileSync(path, lines.join('\n') + '\n')
  return readAllRecords(readStrace(path))
}

const short = (records: TraceRecord[]): string[] => records.map((x) => `${x.timeUs} ${x.op} ${x.key} @${x.offsetBytes}+${x.sizeBytes} ${x.process ?? '-'}`)

test('strace -f -ttt -y: opens, reads at tracked positions, resumed calls, pread, mmap, stats, writes, children, threads', (t) => {
  const records = parse('full.strace', [
    '100   1700000000.000100 execve("/usr/bin/python3", ["python3"], 0x7ffc /* 3 vars */) = 0',
    '100   1700000000.000200 openat(AT_FDCWD</home/u>, "data.txt", O_RDONLY|O_CLOEXEC) = 3</home/u/data.txt>',
    '100   1700000000.000300 read(3</home/u/data.txt>, "abc"..., 4096) = 4096',
    '100   1700000000.000400 read(3</home/u/data.txt>,  <unfinished ...>',
    '101   1700000000.000450 openat(AT_FDCWD</home/u>, "missing", O_RDONLY) = -1 ENOENT (No such file or directory)',
    '100   1700000000.000500 <... read resumed>"", 4096) = 100',
    '100   1700000000.000600 lseek(3</home/u/data.txt>, 0, SEEK_SET) = 0',
    '100   1700000000.000650 read(3</home/u/data.txt>, "", 10) = 10',
    '100   1700000000.000700 pread64(3</home/u/data.txt>, ""..., 512, 8192) = 512',
    '100   1700000000.000800 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3</home/u/data.txt>, 0x1000) = 0x7f0000000000',
    '100   1700000000.000850 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000002000',
    '100   1700000000.000900 close(3</home/u/data.txt>) = 0',
    '100   1700000000.001000 newfstatat(AT_FDCWD</home/u>, "/etc/hosts", {st_mode=S_IFREG|0644, st_size=10, ...}, 0) = 0',
    '100   1700000000.001100 newfstatat(AT_FDCWD</home/u>, "/etc", {st_mode=S_IFDIR|0755, ...}, 0) = 0',
    '100   1700000000.001150 newfstatat(4</home/u/out.log>, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0',
    '100   1700000000.001200 openat(AT_FDCWD</home/u>, "out.log", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4</home/u/out.log>',
    '100   1700000000.001300 write(4</home/u/out.log>, "x"..., 10) = 10',
    '100   1700000000.001400 write(1</dev/pts/0>, "hi\\n", 3) = 3',
    '100   1700000000.001500 clone(child_stack=NULL, flags=SIGCHLD) = 102',
    '102   1700000000.001600 openat(AT_FDCWD</home/u>, "a\\74b\\76,c) = 1 \\303\\251\\"q", O_RDONLY) = 5</home/u/a\\74b\\76,c) = 1 \\303\\251\\"q>',
    '102   1700000000.001700 openat(AT_FDCWD</home/u>, "/home/u", O_RDONLY|O_DIRECTORY) = 6</home/u>',
    '102   1700000000.001800 read(7<pipe:[1234]>, "", 10) = 10',
    '102   1700000000.001900 +++ exited with 0 +++',
    '100   1700000000.001950 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0}, 88) = 103',
    '103   1700000000.001960 openat(AT_FDCWD</home/u>, "/etc/hosts", O_RDONLY) = 8</etc/hosts>',
    '100   1700000000.002000 --- SIGCHLD {si_signo=SIGCHLD} ---',
    '100   1700000000.002100 exit_group(0)     = ?',
    '100   1700000000.002200 +++ exited with 0 +++'
  ])
  t.deepEqual(short(records), [
    '0 r /usr/bin/python3 @0+0 python3[100]',
    '100 r /home/u/data.txt @0+0 python3[100]',
    '200 r /home/u/data.txt @0+4096 python3[100]',
    '300 r /home/u/data.txt @4096+100 python3[100]',
    '550 r /home/u/data.txt @0+10 python3[100]',
    '600 r /home/u/data.txt @8192+512 python3[100]',
    '700 r /home/u/data.txt @4096+8192 python3[100]',
    '900 r /etc/hosts @0+0 python3[100]',
    '1100 w /home/u/out.log @0+0 python3[100]',
    '1200 w /home/u/out.log @0+10 python3[100]',
    '1500 r /home/u/a<b>,c) = 1 é"q @0+0 python3[102]',
    '1860 r /etc/hosts @0+0 python3[100]'
  ])
})

test('strace without -y or -f: descriptors tracked from opens and closes; -tt clock times wrap at midnight', (t) => {
  const records = parse('plain.strace', [
    '23:59:59.999000 execve("/bin/cat", ["cat", "/etc/passwd"], 0x7ffd /* 20 vars */) = 0',
    '23:59:59.999500 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3',
    '00:00:00.001000 read(3, "root:x:0:0"..., 131072) = 1000',
    '00:00:00.001100 read(3, "", 131072) = 0',
    '00:00:00.001200 close(3)                = 0',
    '00:00:00.001300 read(3, "", 10) = 10',
    '00:00:00.001400 openat(AT_FDCWD, "rel/file", O_RDONLY) = 4',
    '00:00:00.001500 pread64(4, "", 100, 50) = 100'
  ])
  t.deepEqual(short(records), [
    '0 r /bin/cat @0+0 cat',
    '500 r /etc/passwd @0+0 cat',
    '2000 r /etc/passwd @0+1000 cat',
    '2400 r rel/file @0+0 cat',
    '2500 r rel/file @50+100 cat'
  ])
})

test('the strace call splitter respects quotes, brackets and -y annotations; escapes decode to UTF-8', (t) => {
  const call = splitCall('openat(AT_FDCWD</tmp/wx>, "a<b>,c) = 1 \\303\\251\\"q", O_RDONLY|O_CLOEXEC) = 3</tmp/wx/a\\74b\\76,c) = 1 \\303\\251\\"q>')
  t.deepEqual(call?.args, ['AT_FDCWD</tmp/wx>', '"a<b>,c) = 1 \\303\\251\\"q"', 'O_RDONLY|O_CLOEXEC'])
  t.is(call?.ret, '3')
  t.is(call?.retPath, '/tmp/wx/a<b>,c) = 1 é"q')
  t.deepEqual(splitCall('read(3, {a, [b, c]}, 4) = -1 EAGAIN (Resource temporarily unavailable)')?.args, ['3', '{a, [b, c]}', '4'])
  t.is(splitCall('getpid() = 7')?.args.length, 0)
  t.is(splitCall('not a call'), null)
  t.is(splitCall('read(3, "unterminated) = 1'), null)
  t.is(unescapeC('\\x3c\\t\\\\\\101🙂'), '<\t\\A🙂')
})

test('xest trace record -- python3 -c "import json" lists the files Python used, json/__init__.py among them', (t) => {
  const out = join(dir, 'python-json.xtrace')
  const run = spawnSync(process.execPath, [join(root, 'bin/xest.js'), 'trace', 'record', '--out', out, '--json', '--', 'python3', '-c', 'import json'], { encoding: 'utf8', timeout: 120_000 })
  t.is(run.status, 0, run.stderr)
  const summary = JSON.parse(run.stdout) as { records: number, files: number, exitStatus: number }
  t.is(summary.exitStatus, 0)
  const source = readXtrace(out)
  t.deepEqual((source.meta as { command: string[] }).command, ['python3', '-c', 'import json'])
  const records = readAllRecords(source)
  t.is(records.length, summary.records)
  t.true(summary.files > 20, `${summary.files} files`)
  t.true(records.some((x) => x.key.endsWith('/json/__init__.py')), 'json/__init__.py is referenced')
  t.true(records.some((x) => /\/json\/(__pycache__\/__init__\.cpython-\d+\.pyc|__init__\.py)$/.test(x.key) && x.sizeBytes > 0), 'json\'s module code is read')
  t.true(records.some((x) => x.key.endsWith('.so') || x.key.includes('.so.')), 'shared libraries are mapped')
  t.true(records.every((x) => x.process !== undefined && /\[\d+\]$|^\d+$/.test(x.process)), 'each access names its process')
  t.true(records.every((x) => !x.key.startsWith('/proc/') && !x.key.startsWith('/dev/')))
})

test('xest trace record fails clearly without strace, and asks for a command', (t) => {
  const emptyBin = mkdtempSync(join(tmpdir(), 'xest-no-strace-'))
  const run = spawnSync(process.execPath, [join(root, 'bin/xest.js'), 'trace', 'record', '--out', join(dir, 'x.xtrace'), '--', 'true'], { encoding: 'utf8', env: { ...process.env, PATH: emptyBin } })
  t.is(run.status, 1)
  t.regex(run.stderr, /strace is not installed/)
  const noCommand = spawnSync(process.execPath, [join(root, 'bin/xest.js'), 'trace', 'record'], { encoding: 'utf8' })
  t.is(noCommand.status, 2)
  t.regex(noCommand.stderr, /name the command to record after --/)
})
