/**
 * `xest testbed down` and the roll-back of a failed `up`: stops the node processes the state file
 * lists (only while /proc shows they are still ours), stops whatever else still runs inside the
 * testbed's own namespaces, deletes those namespaces (which removes their veth links and the
 * bridge with them), removes the control sockets, and then checks that no listed namespace,
 * link or process is left. It never touches a namespace, link or process the state does not name.
 */
import { rmSync } from 'node:fs'
import { isOurProcess, listNamespaces, linkNames, namespacePids, ip, processCommandLine, stopProcesses } from './netns.ts'
import { writeState, type TestbedState } from './state.ts'

export interface TeardownReport {
  stoppedProcesses: number
  deletedNamespaces: string[]
  /** What is still there after the teardown (all empty on success). */
  leftover: { namespaces: string[], links: string[], processes: number[] }
  errors: string[]
}

export async function teardown (state: TestbedState, stateFile: string | null): Promise<TeardownReport> {
  const errors: string[] = []
  const nodePids = state.hosts.flatMap((h) => h.pid === null ? [] : [h.pid])
  const isNode = (pid: number): boolean => {
    const host = state.hosts.find((h) => h.pid === pid)
    return host !== undefined && isOurProcess(pid, host.controlSocket)
  }
  const before = nodePids.filter(isNode).length
  const stuck = await stopProcesses(nodePids, isNode)
  // Anything else still inside our namespaces (a workload probe, a node whose pid was not yet
  // recorded when `up` died) runs in a namespace this testbed created: stop it too.
  const ours = new Set(state.namespaces)
  const existing = listNamespaces().filter((ns) => ours.has(ns))
  const strays = existing.flatMap(namespacePids).filter((pid) => processCommandLine(pid) !== null)
  const strayStuck = await stopProcesses(strays, (pid) => processCommandLine(pid) !== null && existing.some((ns) => namespacePids(ns).includes(pid)), 2_000)
  const deleted: string[] = []
  for (const ns of [...existing].reverse()) {
    try {
      ip('netns', 'del', ns)
      deleted.push(ns)
    } catch (error) {
      errors.push((error as Error).message)
    }
  }
  for (const host of state.hosts) {
    rmSync(host.controlSocket, { force: true })
    if (typeof host.dataDir === 'string' && host.dataDir.startsWith(state.dir + '/')) rmSync(host.dataDir, { recursive: true, force: true })
  }
  const remainingNs = listNamespaces().filter((ns) => ours.has(ns))
  const recordedLinks = new Set(state.hosts.flatMap((h) => [h.link, h.bridgePort]).concat(state.bridge.name))
  const rootLinks = linkNames(null).filter((name) => recordedLinks.has(name))
  const leftover = {
    namespaces: remainingNs,
    links: rootLinks,
    processes: [...stuck, ...strayStuck, ...nodePids.filter(isNode)]
  }
  if (stateFile !== null) {
    const clean = leftover.namespaces.length === 0 && leftover.links.length === 0 && leftover.processes.length === 0
    writeState(stateFile, { ...state, status: clean ? 'down' : state.status, ...(clean ? {} : { error: `down left ${JSON.stringify(leftover)}` }) })
  }
  return { stoppedProcesses: before + strays.length, deletedNamespaces: deleted, leftover, errors }
}
