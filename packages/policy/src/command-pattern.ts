// Internal: grammar and matching of command names and command patterns (`wordpress.run-php`, `wordpress.*`, `*`).

const SEGMENT = '[A-Za-z0-9_][A-Za-z0-9_-]*'
const COMMAND_NAME = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})*$`)
const COMMAND_PATTERN = new RegExp(`^(?:\\*|${SEGMENT}(?:\\.${SEGMENT})*(?:\\.\\*)?)$`)

/** True when `name` is a well-formed command name such as `wordpress.run-php`. */
export function isCommandName(name: string): boolean {
  return COMMAND_NAME.test(name)
}

/**
 * Explains why `pattern` is not a valid command pattern, or returns undefined when it is.
 * Valid: an exact name (`wordpress.run-php`), a prefix wildcard (`wordpress.*`), or `*` for every command.
 */
export function commandPatternProblem(pattern: string): string | undefined {
  if (COMMAND_PATTERN.test(pattern)) return undefined
  if (pattern === '') return 'empty command pattern; remove it or write a name such as "wordpress.run-php"'
  if (pattern.trim() !== pattern) return `remove the surrounding whitespace from ${JSON.stringify(pattern)}`
  if (pattern.includes('*')) {
    return `${JSON.stringify(pattern)} is not a valid wildcard; a wildcard may only be a whole trailing segment ("wordpress.*") or "*" for every command`
  }
  return `${JSON.stringify(pattern)} is not a valid command name; use dot-separated segments of letters, digits, "_" and "-", such as "wordpress.run-php"`
}

/**
 * True when `command` matches `pattern`. `prefix.*` matches every command below `prefix` at any depth
 * (`wordpress.*` matches `wordpress.db.export`) but neither `prefix` itself nor `prefixx.foo`.
 */
export function commandMatches(pattern: string, command: string): boolean {
  if (!isCommandName(command)) return false
  if (pattern === '*') return true
  if (pattern.endsWith('.*')) return command.startsWith(pattern.slice(0, -1))
  return pattern === command
}
