/** Percentiles of a set of samples (nearest rank), in the samples' unit. */
export interface Summary {
  readonly count: number
  readonly p50: number
  readonly p95: number
  readonly min: number
  readonly max: number
  readonly mean: number
}

function nearestRank(sorted: readonly number[], percentile: number): number {
  const rank = Math.ceil((percentile / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

/** Summarises samples; with few samples p95 is the largest, which is the honest answer. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize() needs at least one sample')
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    count: sorted.length,
    p50: nearestRank(sorted, 50),
    p95: nearestRank(sorted, 95),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  }
}
