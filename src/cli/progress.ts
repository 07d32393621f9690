/**
 * Progress of long simulated runs on a terminal: one line on stderr, rewritten in place, with
 * simulated time, events, event rate and nodes up. Prints nothing when stderr is not a terminal
 * (CI logs and pipes stay clean). Wall time is read here, at the CLI edge, never in sim/.
 */

export interface ProgressStatus {
  nowUs: number
  executed: number
  pending: number
  nodesUp: number
}

export function terminalProgress (label: string): { update: (status: ProgressStatus) => void, done: () => void } {
  const tty = process.stderr.isTTY === true
  const startedMs = performance.now()
  let shown = false
  let lastMs = 0
  return {
    update (status) {
      const nowMs = performance.now()
      if (!tty || nowMs - lastMs < 250) return
      lastMs = nowMs
      const wallS = (nowMs - startedMs) / 1000
      const rate = status.executed / Math.max(wallS, 1e-3)
      process.stderr.write(`\r${label}: t=${(status.nowUs / 1e6).toFixed(1)} s simulated, ${status.executed.toLocaleString('en')} events ` +
        `(${(rate / 1e6).toFixed(2)} M/s), ${status.pending.toLocaleString('en')} pending, ${status.nodesUp} nodes up, ${wallS.toFixed(0)} s\x1b[K`)
      shown = true
    },
    done () {
      if (shown) process.stderr.write('\r\x1b[K')
    }
  }
}
