/**
 * Text widths for Vega's layout, from DejaVu Sans advance widths (the font the figures are
 * drawn and rasterised with), so legends, axis titles and labels get the room they need
 * without a canvas. Vega's own fallback guesses 0.8 em per character, which leaves wide gaps.
 * Pure table look-ups: never reads font files, the clock or the environment.
 */

/** Advance widths of ASCII 32–126 in 1/1000 em, DejaVu Sans Book (hmtx of DejaVuSans.ttf). */
const BOOK = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636,
  636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775,
  752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390,
  337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
  635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838
]

/** The same for DejaVu Sans Bold. */
const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696,
  696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821,
  837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457,
  365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
  716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838
]

/** Non-ASCII characters the figures use (same in both weights, µ aside). */
const EXTRA: Record<string, number> = { '×': 838, '–': 500, '—': 1000, '…': 1000, 'µ': 636, '≥': 838, '≤': 838, '°': 500, '·': 318, '²': 401 }

/** Width in px of `text` set in DejaVu Sans at `fontSizePx`. */
export function textWidthPx (text: string, fontSizePx: number, bold = false): number {
  const table = bold ? BOLD : BOOK
  let units = 0
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 32
    units += code >= 32 && code < 127 ? table[code - 32]! : EXTRA[ch] ?? (bold ? 750 : 700)
  }
  return (units * fontSizePx) / 1000
}

interface TextItem { fontSize?: number | string, fontWeight?: number | string, limit?: number }

function isBold (weight: number | string | undefined): boolean {
  if (weight === undefined) return false
  if (typeof weight === 'number') return weight >= 600
  return weight === 'bold' || weight === 'bolder' || Number(weight) >= 600
}

/** Vega's `textMetrics.width(item, text)`, measured with the tables above (truncated items cap at their limit). */
export function vegaTextWidth (item: TextItem, text: unknown): number {
  const size = item.fontSize !== undefined && item.fontSize !== null ? Number(item.fontSize) || 0 : 11
  const str = text === null || text === undefined ? '' : String(text).trim()
  const width = textWidthPx(str, size, isBold(item.fontWeight))
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width
}
