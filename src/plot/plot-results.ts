/**
 * Writing figures: for one run, stall time, the per-read stall CDF, addressing overhead and
 * bytes fetched; for several runs (a sweep), miss rate and unnecessary bytes against group size,
 * n and every other parameter that varies. Each figure as SVG and PNG, plus index.html.
 * Output is a function of the results alone (same inputs ⇒ same bytes); never logs or reads
 * the clock — warnings are returned.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import type { TopLevelSpec } from 'vega-lite'
import { addressingSpec } from './addressing.ts'
import { fetchedBytesSpec } from './fetched-bytes.ts'
import { runPageHtml, sweepPageHtml, type PageFigure } from './html-page.ts'
import { renderFigure } from './render.ts'
import { varyingParams } from './run-params.ts'
import type { RunResult } from './run-results.ts'
import { stallBarsSpec } from './stall-bars.ts'
import { stallCdfSpec } from './stall-cdf.ts'
import { sweepLinesSpec } from './sweep-lines.ts'

export interface WrittenFigure {
  name: string
  title: string
  svgPath: string
  pngPath: string
  pngWidthPx: number
  pngHeightPx: number
}

export interface PlotOutput {
  outDir: string
  figures: WrittenFigure[]
  indexPath: string
  /** Vega warnings, each prefixed with its figure's name. */
  warnings: string[]
}

interface FigureSpec { name: string, title: string, spec: TopLevelSpec }

/** The figures of one run, in page order. */
export function runFigureSpecs (run: RunResult): FigureSpec[] {
  return [
    { name: 'stall-time', title: 'Total stall time per policy (read and copy stall)', spec: stallBarsSpec(run) },
    { name: 'stall-cdf', title: 'Per-read stall time, cumulative distribution', spec: stallCdfSpec(run) },
    { name: 'addressing', title: 'Addressing overhead per migration: DHT operations and latency', spec: addressingSpec(run) },
    { name: 'fetched-bytes', title: 'Bytes fetched and unnecessary bytes per policy', spec: fetchedBytesSpec(run) }
  ]
}

/**
 * The figures of several runs: one against each parameter that varies, max-group and n first;
 * against max-group and n when nothing varies.
 */
export function sweepFigureSpecs (runs: readonly RunResult[]): FigureSpec[] {
  const varying = varyingParams(runs)
  const first = ['max-group', 'n'].filter((f) => varying.includes(f))
  const flags = varying.length === 0 ? ['max-group', 'n'] : [...first, ...varying.filter((f) => !first.includes(f))]
  const specs: FigureSpec[] = []
  for (const flag of flags) {
    const spec = sweepLinesSpec(runs, flag)
    if (spec !== null) specs.push({ name: `sweep-${flag}`, title: `Miss rate and unnecessary bytes against ${flag}`, spec })
  }
  return specs
}

async function writeFigures (specs: FigureSpec[], outDir: string): Promise<{ figures: WrittenFigure[], warnings: string[] }> {
  mkdirSync(outDir, { recursive: true })
  const figures: WrittenFigure[] = []
  const warnings: string[] = []
  for (const { name, title, spec } of specs) {
    const rendered = await renderFigure(spec)
    const svgPath = join(outDir, `${name}.svg`)
    const pngPath = join(outDir, `${name}.png`)
    writeFileSync(svgPath, rendered.svg)
    writeFileSync(pngPath, rendered.png)
    figures.push({ name, title, svgPath, pngPath, pngWidthPx: rendered.pngWidthPx, pngHeightPx: rendered.pngHeightPx })
    warnings.push(...rendered.warnings.map((w) => `${name}: ${w}`))
  }
  return { figures, warnings }
}

/** A path relative to the page's directory, with forward slashes ('.' for the same directory). */
function link (fromDir: string, to: string): string {
  const rel = relative(resolve(fromDir), resolve(to))
  return rel === '' ? '.' : rel.split(sep).join('/')
}

const pageFigures = (figures: WrittenFigure[]): PageFigure[] => figures.map((f) => ({ title: f.title, svg: `${f.name}.svg`, png: `${f.name}.png` }))

/** Figures and index.html of one run into `outDir` (created if missing). */
export async function plotRun (run: RunResult, outDir: string): Promise<PlotOutput> {
  const { figures, warnings } = await writeFigures(runFigureSpecs(run), outDir)
  const csvFiles = readdirSync(run.dir).filter((f) => f.endsWith('.csv')).sort()
  const indexPath = join(outDir, 'index.html')
  writeFileSync(indexPath, runPageHtml(run, pageFigures(figures), link(outDir, run.dir), csvFiles))
  return { outDir, figures, indexPath, warnings }
}

/** Sweep figures and index.html of several runs into `outDir`; throws if fewer than two runs. */
export async function plotSweep (runs: readonly RunResult[], outDir: string): Promise<PlotOutput> {
  if (runs.length < 2) throw new Error(`sweep figures need at least two runs (got ${runs.length})`)
  const { figures, warnings } = await writeFigures(sweepFigureSpecs(runs), outDir)
  const indexPath = join(outDir, 'index.html')
  writeFileSync(indexPath, sweepPageHtml(runs, pageFigures(figures), runs.map((r) => link(outDir, r.dir))))
  return { outDir, figures, indexPath, warnings }
}
