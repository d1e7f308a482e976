import { writeFileSync } from 'node:fs'
import type { Reporter, TestCase } from 'vitest/node'

type Artifact = Parameters<NonNullable<Reporter['onTestCaseArtifactRecord']>>[1]

/** Writes every artifact the run recorded, by test name, to `$CODEBOX_INNER_ARTIFACTS` when the run ends. */
export default class ArtifactReporter implements Reporter {
  readonly #recorded: { test: string; artifact: Artifact }[] = []

  onTestCaseArtifactRecord(testCase: TestCase, artifact: Artifact): void {
    this.#recorded.push({ test: testCase.name, artifact })
  }

  onTestRunEnd(): void {
    const file = process.env.CODEBOX_INNER_ARTIFACTS
    if (file) writeFileSync(file, JSON.stringify(this.#recorded))
  }
}
