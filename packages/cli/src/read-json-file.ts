import { readFile } from 'node:fs/promises'
import { CliError } from './cli-error.js'

/**
 * Reads and parses a JSON file.
 *
 * @throws CliError `CLI_FILE_NOT_FOUND` when it cannot be read, `RECIPE_JSON_INVALID` when it is not JSON.
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CliError('CLI_FILE_NOT_FOUND', `Cannot read ${path}: ${code ?? String(error)}`, {
      details: { path, reason: code ?? 'unknown' },
    })
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new CliError('RECIPE_JSON_INVALID', `${path} is not valid JSON: ${(error as Error).message}`, {
      details: { path, issues: [{ path: '$', message: (error as Error).message }] },
    })
  }
}
