/**
 * The `index.html` that shows a run's (or a sweep's) figures and tables: the policies' metrics,
 * and provenance (seed, configuration, inputs with hashes, code version, command). Static HTML
 * with inline CSS and relative links only; a pure function of its inputs (no dates, no
 * absolute paths), so the same results give the same page.
 */
import type { PolicyMetrics, RunResult } from './run-results.ts'
import { formatParam, runCaption, runParams, varyingParams } from './run-params.ts'
import { policyLabel } from './theme.ts'

export interface PageFigure { title: string, svg: string, png: string }

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const num = (x: number | null | undefined, digits = 1): string => x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits)
const pct = (x: number | null | undefined): string => x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)} %`
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1)

function table (head: string[], rows: string[][], numericFrom = 1): string {
  const th = head.map((h, i) => `<th${i >= numericFrom ? ' class="n"' : ''}>${esc(h)}</th>`).join('')
  const trs = rows.map((r) => `<tr>${r.map((c, i) => `<td${i >= numericFrom ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`).join('\n')
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${trs}\n</tbody>\n</table>`
}

const POLICY_HEAD = [
  'policy', 'reads', 'miss rate', 'stall total (s)', 'read stall (s)', 'copy stall (s)', 'share of replay',
  'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'p99.9 (ms)', 'DHT ops / migration', 'lease put median (ms)',
  'DHT get median (ms)', 'demand fetched (MiB)', 'prefetched (MiB)', 'unnecessary (MiB)', 'unnecessary share'
]

function policyCells (p: PolicyMetrics): string[] {
  const q = p.stall.perReadMs
  return [
    esc(policyLabel(p.policy)), String(p.reads), pct(p.missRate), num(p.stall.totalS), num(p.stall.readS), num(p.stall.copyS),
    pct(p.stall.shareOfReplay), num(q.p50), num(q.p90), num(q.p99), num(q.p999), num(p.addressing.opsPerMigration, 2),
    num(p.addressing.leaseLatencyMsMedian), num(p.addressing.getLatencyMsMedian), mib(p.fetched.demandBytes),
    mib(p.fetched.prefetchBytes), mib(p.unnecessary.bytes), pct(p.unnecessary.shareOfFetchedBytes)
  ]
}

function figuresHtml (figures: readonly PageFigure[]): string {
  return figures.map((f) =>
    `<figure><img src="${esc(f.svg)}" alt="${esc(f.title)}"><figcaption>${esc(f.title)} — <a href="${esc(f.svg)}">SVG</a> · <a href="${esc(f.png)}">PNG</a></figcaption></figure>`
  ).join('\n')
}

function provenanceHtml (run: RunResult, linkToRun: string, heading = ''): string {
  const p = run.provenance
  const code = p.codeVersion
  const rows: string[][] = [
    ['seed', esc(p.seed)],
    ['code version', code === undefined ? '–' : `${esc(code.commit ?? 'unknown')}${code.dirty === true ? ' (work tree modified)' : code.dirty === false ? ' (clean)' : ''}`],
    ['package version', esc(p.packageVersion ?? '–')],
    ['command', p.command === undefined ? '–' : `<code>xest ${esc(p.command.join(' '))}</code>`],
    ['results', `<a href="${esc(linkToRun)}/run.json">run.json</a>`]
  ]
  const inputs = (p.inputs ?? []).map((i) => [`<code>${esc(i.path)}</code>`, `<code>${esc(i.sha1)}</code>`, String(i.bytes)])
  const config = [...runParams(run)].map(([flag, value]) => [`<code>--${esc(flag)}</code>`, esc(formatParam(flag, value).slice(flag.length + 1))])
  return [
    `<h2>Provenance${heading}</h2>`, table(['', ''], rows, 2),
    '<h3>Inputs</h3>', inputs.length === 0 ? '<p>none recorded</p>' : table(['path', 'SHA-1', 'bytes'], inputs, 2),
    '<h3>Configuration</h3>', table(['parameter', 'value'], config, 2),
    `<p>policies: ${esc(run.summary.policies.map((x) => x.policy).join(', '))}</p>`
  ].join('\n')
}

const STYLE = `body{font-family:"DejaVu Sans",sans-serif;margin:2em;color:#222;max-width:1500px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}h3{font-size:1em}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{color:#555;font-size:.9em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f3f3f3}td.n,th.n{text-align:right}code{font-size:.95em}`

function page (title: string, body: string[]): string {
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${esc(title)}</title>\n<style>\n${STYLE}\n</style>\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`
}

/** The page of one run; `linkToRun` is the run directory relative to the page. */
export function runPageHtml (run: RunResult, figures: readonly PageFigure[], linkToRun: string, csvFiles: readonly string[]): string {
  return page(`Xest study: ${runCaption(run)}`, [
    '<h1>Xest study</h1>',
    `<p>${esc(runCaption(run))}${run.summary.model !== undefined ? `<br>model: ${esc(run.summary.model)}` : ''}</p>`,
    '<h2>Policies</h2>',
    table(POLICY_HEAD, run.summary.policies.map(policyCells)),
    `<p>Tables as CSV: ${csvFiles.map((f) => `<a href="${esc(linkToRun)}/${esc(f)}">${esc(f)}</a>`).join(' · ') || 'none'}</p>`,
    '<h2>Figures</h2>',
    figuresHtml(figures),
    provenanceHtml(run, linkToRun)
  ])
}

/** The page of several runs; `linksToRuns[i]` is run i's directory relative to the page. */
export function sweepPageHtml (runs: readonly RunResult[], figures: readonly PageFigure[], linksToRuns: readonly string[]): string {
  const varying = varyingParams(runs)
  const rows = runs.flatMap((run, i) => {
    const params = runParams(run)
    return run.summary.policies.map((p) => [
      `<a href="${esc(linksToRuns[i])}/run.json">${esc(linksToRuns[i])}</a>`,
      ...varying.map((flag) => esc(formatParam(flag, params.get(flag) ?? null).slice(flag.length + 1))),
      ...policyCells(p)
    ])
  })
  const commits = [...new Set(runs.map((r) => `${r.provenance.codeVersion?.commit ?? 'unknown'}${r.provenance.codeVersion?.dirty === true ? ' (modified)' : ''}`))]
  return page(`Xest sweep of ${runs.length} runs`, [
    `<h1>Xest sweep: ${runs.length} runs</h1>`,
    `<p>varying: ${esc(varying.map((f) => `--${f}`).join(', ') || 'nothing')}; first run: ${esc(runCaption(runs[0]!))}</p>`,
    `<p>code version: ${esc(commits.join(', '))}</p>`,
    '<h2>Figures</h2>',
    figuresHtml(figures),
    '<h2>Runs and policies</h2>',
    table(['run', ...varying, ...POLICY_HEAD], rows, 1 + varying.length + 1),
    provenanceHtml(runs[0]!, linksToRuns[0]!, ' of the first run')
  ])
}
