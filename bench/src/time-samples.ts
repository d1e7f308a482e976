/** Hooks around each timed call; their time is not counted. */
export interface TimeSamplesOptions<T> {
  /** Runs before each timed call (e.g. wait for a pool to refill). */
  readonly before?: () => Promise<void>
  /** Receives each call's result after its time was taken (e.g. to check it, then destroy it). */
  readonly after?: (result: T, index: number) => Promise<void>
}

/** Runs `work` `count` times one after another and returns each call's duration in ms. */
export async function timeSamples<T>(
  count: number,
  work: (index: number) => Promise<T>,
  options: TimeSamplesOptions<T> = {},
): Promise<number[]> {
  const samples: number[] = []
  for (let index = 0; index < count; index++) {
    await options.before?.()
    const started = performance.now()
    const result = await work(index)
    samples.push(performance.now() - started)
    await options.after?.(result, index)
  }
  return samples
}
