import type { Summary } from './summarize.js'

/** Units the harness reports in. MB is 10^6 bytes; `%` is a percentage (5 means 5 %); `count` a plain count. */
export type FigureUnit = 'ms' | 'MB' | 'req/s' | 'jobs/min' | '×' | '%' | 'count'

/** Who a figure measures: codebox itself or one of the baselines. */
export type FigureGroup = 'codebox' | 'raw-playground' | 'native-php' | 'host'

/** A measured figure: a distribution of samples (p50/p95) or a single value. */
export type Figure = {
  /** Stable id used in the JSON and by comparisons, e.g. `warm-create`, `native-opcache.graphql`. */
  readonly id: string
  readonly label: string
  readonly group: FigureGroup
  readonly unit: FigureUnit
  /** What exactly was measured, when the label does not say it all. */
  readonly detail?: string
} & (
  | { readonly kind: 'samples'; readonly summary: Summary; readonly samples: readonly number[] }
  | { readonly kind: 'value'; readonly value: number }
)

/** The number a figure is compared and judged by: p50 of samples, or the value. */
export function headline(figure: Figure): number {
  return figure.kind === 'samples' ? figure.summary.p50 : figure.value
}
