import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { fixFor } from './error-fixes.js'
import { EXIT_CODES, exitCodeFor } from './exit-codes.js'

// The README is the documentation scripts rely on: these tests keep it and the code from drifting apart.
const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')

function tableRows(heading: string): string[][] {
  const section = readme.split(/^## /m).find((part) => part.startsWith(heading)) ?? ''
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1)
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    )
}

describe('the exit codes', () => {
  it('are the ones the README documents, with the same names', () => {
    const documented = Object.fromEntries(
      tableRows('Exit codes').map(([code, name]) => [String(name).replaceAll('`', ''), Number(code)]),
    )
    expect(documented).toEqual(EXIT_CODES)
  })

  it('map each error code in the README to the exit code it documents', () => {
    const rows = tableRows('Errors').filter(([code]) => /^`[A-Z_]+`$/.test(String(code)))
    expect(rows.length).toBeGreaterThan(10)
    for (const [code, exit] of rows) {
      const name = String(code).replaceAll('`', '')
      expect({ name, exit: exitCodeFor(name) }).toEqual({ name, exit: Number(exit) })
    }
  })

  it('give every documented error a specific fix, not the generic one', () => {
    const generic = fixFor('SOMETHING_UNKNOWN')
    for (const [code] of tableRows('Errors').filter(([c]) => /^`[A-Z_]+`$/.test(String(c)))) {
      const name = String(code).replaceAll('`', '')
      if (name === 'CLI_INTERNAL_ERROR') continue
      expect({ name, fix: fixFor(name) }).not.toEqual({ name, fix: generic })
    }
    expect(fixFor('POLICY_COMMAND_DENIED')).not.toBe(generic)
  })
})
