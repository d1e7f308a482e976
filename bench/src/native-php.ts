import { spawnSync } from 'node:child_process'

/** `php -v`'s first line when `php` is on PATH, else undefined. */
export function nativePhpVersion(): string | undefined {
  const result = spawnSync('php', ['-v'], { encoding: 'utf8', timeout: 10_000 })
  if (result.error || result.status !== 0) return undefined
  return result.stdout.split('\n')[0]?.trim()
}

/** Runs a PHP script with the native CLI (bounded by `timeoutMs`) and returns its stdout; throws on failure. */
export function runNativePhp(args: readonly string[], timeoutMs = 120_000): string {
  const result = spawnSync('php', [...args], { encoding: 'utf8', timeout: timeoutMs })
  if (result.error) throw result.error
  if (result.status !== 0) {
    throw new Error(
      `php ${args.join(' ')} exited ${result.status}: ${(result.stdout + result.stderr).slice(-500)}`,
    )
  }
  return result.stdout
}
