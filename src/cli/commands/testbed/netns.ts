/**
 * The testbed's contact with the kernel: `ip` commands for network namespaces, veth pairs and the
 * bridge, and process checks through /proc. Every namespace and link is created inside named
 * namespaces (the root namespace never gets an interface, an address or a route), so nothing
 * the testbed does can reach or disturb the machine's own network. Removal touches only names
 * and process ids it is given; it never matches processes by name.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

export class IpError extends Error {
  override name = 'IpError'
}

/** Runs `ip ARGS…`; throws IpError with ip's own message on failure. */
export function ip (...args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim()
    throw new IpError(`ip ${args.join(' ')}: ${stderr === '' ? (error as Error).message : stderr}`)
  }
}

/** Whether this process can create namespaces (root with `ip netns` available). */
export function netnsAvailable (): { ok: true } | { ok: false, reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root' }
  try {
    ip('netns', 'list')
  } catch (error) {
    return { ok: false, reason: `ip netns unavailable: ${(error as Error).message}` }
  }
  return { ok: true }
}

export function listNamespaces (): string[] {
  return ip('netns', 'list').split('\n').map((line) => line.trim().split(/\s+/)[0] ?? '').filter((name) => name !== '')
}

/** Process ids inside a namespace (empty when it does not exist). */
export function namespacePids (namespace: string): number[] {
  try {
    return ip('netns', 'pids', namespace).split(/\s+/).filter((s) => s !== '').map(Number)
  } catch {
    return []
  }
}

/** Interface names of a namespace, or of the root namespace when `namespace` is null. */
export function linkNames (namespace: string | null): string[] {
  const out = namespace === null ? ip('-br', 'link') : ip('-n', namespace, '-br', 'link')
  return out.split('\n').map((line) => (line.trim().split(/\s+/)[0] ?? '').replace(/@.*$/, '')).filter((name) => name !== '')
}

/** The command line of a live process, or null when no such process exists. */
export function processCommandLine (pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '')
  } catch {
    return null
  }
}

/** Whether `pid` is alive and still the process we started (its command line holds `marker`). */
export function isOurProcess (pid: number, marker: string): boolean {
  const argv = processCommandLine(pid)
  return argv !== null && argv.includes(marker) && !isZombie(pid)
}

function isZombie (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

export function signal (pid: number, name: NodeJS.Signals): void {
  try { process.kill(pid, name) } catch { /* already gone */ }
}

export async function sleepMs (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * SIGTERM to each process, SIGKILL to those still alive after `graceMs`; resolves with the ids
 * that are still alive at the end (should be none). `alive` decides whether a pid is still ours.
 */
export async function stopProcesses (pids: number[], alive: (pid: number) => boolean, graceMs = 5_000): Promise<number[]> {
  let live = pids.filter(alive)
  for (const pid of live) signal(pid, 'SIGTERM')
  const deadlineMs = Date.now() + graceMs
  while (live.length > 0 && Date.now() < deadlineMs) {
    await sleepMs(100)
    live = live.filter(alive)
  }
  for (const pid of live) signal(pid, 'SIGKILL')
  const killDeadlineMs = Date.now() + 3_000
  while (live.length > 0 && Date.now() < killDeadlineMs) {
    await sleepMs(50)
    live = live.filter(alive)
  }
  return live
}
