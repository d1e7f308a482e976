import type { Figure } from './figure.js'
import { formatNumber } from './format-number.js'
import { summarize } from './summarize.js'

const round2 = (value: number) => Math.round(value * 100) / 100

/** Collects figures and notes while the harness runs. */
export class BenchResults {
  readonly #figures = new Map<string, Figure>()
  readonly #notes: string[] = []
  #failures = 0

  /** Adds a figure measured as samples (ms unless `unit` says otherwise). */
  samples(
    id: string,
    label: string,
    samples: readonly number[],
    extra: Partial<Pick<Figure, 'unit' | 'group' | 'detail'>> = {},
  ): void {
    const rounded = samples.map(round2)
    const summary = summarize(rounded)
    this.add({
      id,
      label,
      unit: extra.unit ?? 'ms',
      group: extra.group ?? 'codebox',
      ...(extra.detail ? { detail: extra.detail } : {}),
      kind: 'samples',
      samples: rounded,
      summary: { ...summary, mean: round2(summary.mean) },
    })
  }

  /** Adds a single-value figure. */
  value(
    id: string,
    label: string,
    value: number,
    unit: Figure['unit'],
    extra: Partial<Pick<Figure, 'group' | 'detail'>> = {},
  ): void {
    this.add({
      id,
      label,
      unit,
      group: extra.group ?? 'codebox',
      ...(extra.detail ? { detail: extra.detail } : {}),
      kind: 'value',
      value: Math.round(value * 1000) / 1000,
    })
  }

  add(figure: Figure): void {
    this.#figures.set(figure.id, figure)
    const shown =
      figure.kind === 'samples'
        ? `p50 ${formatNumber(figure.summary.p50)} p95 ${formatNumber(figure.summary.p95)}`
        : formatNumber(figure.value, figure.unit)
    console.log(`  ${figure.label}: ${shown} ${figure.unit === '×' ? '' : figure.unit}`.trimEnd())
  }

  get(id: string): Figure | undefined {
    return this.#figures.get(id)
  }

  /** Records something skipped or worth knowing; printed under the table and kept in the JSON. */
  note(text: string): void {
    this.#notes.push(text)
    console.log(`  note: ${text}`)
  }

  /** Records a section that threw; the run goes on and the exit code becomes 1. */
  failure(section: string, error: unknown): void {
    this.#failures++
    const message = error instanceof Error ? error.message : String(error)
    this.note(`${section} FAILED: ${message.split('\n').slice(0, 4).join(' | ')}`)
  }

  get figures(): readonly Figure[] {
    return [...this.#figures.values()]
  }

  get notes(): readonly string[] {
    return this.#notes
  }

  get failures(): number {
    return this.#failures
  }
}
