/**
 * Rendering a figure: a Vega-Lite spec (with the shared theme) compiled and laid out by Vega
 * headless, serialised to SVG, and rasterised to PNG by resvg with DejaVu Sans. Deterministic:
 * generated names and SVG definition ids are reset before each figure and text is measured
 * from fixed tables, so the same spec gives the same bytes in any process. Never reads the clock, never logs: Vega's
 * warnings are collected and returned to the caller.
 */
import { Resvg } from '@resvg/resvg-js'
import * as vega from 'vega'
import { compile, resetIdCounter, type TopLevelSpec } from 'vega-lite'
import { FONT, THEME } from './theme.ts'
import { vegaTextWidth } from './text-width.ts'

export interface RenderedFigure {
  svg: string
  png: Buffer
  /** Size of the PNG in px (the SVG's size times `pngScale`). */
  pngWidthPx: number
  pngHeightPx: number
  /** Warnings from Vega-Lite and Vega (empty when the figure is clean). */
  warnings: string[]
}

/** PNGs are drawn at twice the SVG's size, for sharp text on slides and high-density screens. */
export const PNG_SCALE = 2

function collectingLogger (warnings: string[]) {
  let level = vega.Warn
  const logger = {
    level (value?: number) {
      if (value === undefined) return level
      level = value
      return logger
    },
    error (...args: unknown[]) { throw new Error(`vega: ${args.map(String).join(' ')}`) },
    warn (...args: unknown[]) { warnings.push(args.map(String).join(' ')); return logger },
    info () { return logger },
    debug () { return logger }
  }
  return logger
}

function withTheme (spec: TopLevelSpec): TopLevelSpec {
  return { ...spec, config: { ...THEME, ...(spec.config ?? {}) } } as TopLevelSpec
}

/** The SVG of a Vega-Lite spec, plus any warnings. */
export async function renderSvg (spec: TopLevelSpec): Promise<{ svg: string, warnings: string[] }> {
  // Text layout from DejaVu Sans metrics (no canvas in Node); set on every call, it is a module global.
  ;(vega as unknown as { textMetrics: { width: unknown } }).textMetrics.width = vegaTextWidth
  const warnings: string[] = []
  const logger = collectingLogger(warnings)
  // Vega-Lite and Vega number generated names and SVG defs from module-global counters: reset both.
  resetIdCounter()
  const compiled = compile(withTheme(spec), { logger: logger as never }).spec
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as never })
  try {
    vega.resetSVGDefIds()
    const svg = await view.toSVG()
    return { svg, warnings }
  } finally {
    view.finalize()
  }
}

/** A PNG of an SVG at `scale` times its size, text in DejaVu Sans. */
export function svgToPng (svg: string, scale = PNG_SCALE): { png: Buffer, widthPx: number, heightPx: number } {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT }
  })
  const image = resvg.render()
  return { png: image.asPng(), widthPx: image.width, heightPx: image.height }
}

export async function renderFigure (spec: TopLevelSpec): Promise<RenderedFigure> {
  const { svg, warnings } = await renderSvg(spec)
  const { png, widthPx, heightPx } = svgToPng(svg)
  return { svg, png, pngWidthPx: widthPx, pngHeightPx: heightPx, warnings }
}
