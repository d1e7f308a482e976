import type { BenchResults } from './bench-results.js'
import { comparisonsFor } from './comparisons.js'
import type { FigureGroup } from './figure.js'
import { formatNumber } from './format-number.js'
import type { TargetResult } from './targets.js'

const HEADER = [
  'figure',
  'p50',
  'p95 | value',
  'unit',
  'baseline',
  'baseline p50',
  'ratio',
  'target',
  'result',
]
const GROUP_TITLES: Readonly<Record<FigureGroup, string>> = {
  codebox: 'codebox',
  'raw-playground': 'baseline 1: raw Playground packages',
  'native-php': 'baseline 2: native PHP (php -S)',
  host: 'codebox host (issue 14): GraphQL through the host vs serve()',
}

/** Renders every figure as a plain-text table; extra baselines of a figure go on continuation rows. */
export function renderTable(results: BenchResults, targets: readonly TargetResult[]): string {
  const rows: string[][] = []
  for (const group of Object.keys(GROUP_TITLES) as FigureGroup[]) {
    const figures = results.figures.filter((figure) => figure.group === group)
    if (figures.length === 0) continue
    rows.push([`— ${GROUP_TITLES[group]} —`])
    for (const figure of figures) {
      const target = targets.find((entry) => entry.figure === figure.id)
      const comparisons = comparisonsFor(results, figure.id)
      const [first, ...rest] = comparisons
      rows.push([
        figure.label,
        figure.kind === 'samples' ? formatNumber(figure.summary.p50) : '',
        formatNumber(figure.kind === 'samples' ? figure.summary.p95 : figure.value, figure.unit),
        figure.unit,
        first?.baselineLabel ?? '',
        first ? formatNumber(first.baselineValue) : '',
        first ? formatNumber(first.ratio, '×') : '',
        target?.target ?? '',
        target?.status ?? '',
      ])
      for (const comparison of rest) {
        rows.push([
          '',
          '',
          '',
          '',
          comparison.baselineLabel,
          formatNumber(comparison.baselineValue),
          formatNumber(comparison.ratio, '×'),
          '',
          '',
        ])
      }
    }
  }
  const widths = HEADER.map((title, column) =>
    Math.max(title.length, ...rows.filter((row) => row.length > 1).map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd()
  const rule = widths.map((width) => '─'.repeat(width)).join('  ')
  return [line(HEADER), rule, ...rows.map((row) => (row.length === 1 ? row[0]! : line(row)))].join('\n')
}
