import { describe, expect, it } from 'vitest'
import { parsePhpLog } from './php-error-log.js'

describe('parsePhpLog', () => {
  it('splits entries on timestamps and keeps stack traces with their fatal error', () => {
    const entries = parsePhpLog(
      [
        '[21-Nov-2026 14:30:00 UTC] PHP Warning:  Undefined variable $x in /wordpress/a.php on line 7',
        '[21-Nov-2026 14:30:00 UTC] PHP Fatal error:  Uncaught Exception: boom in /internal/eval.php:3',
        'Stack trace:',
        '#0 {main}',
        '  thrown in /internal/eval.php on line 3',
        '[21-Nov-2026 14:30:01 UTC] plugin says hello',
        '',
      ].join('\n'),
    )
    expect(entries).toHaveLength(3)
    expect(entries[0]).toMatchObject({
      level: 'warning',
      message: 'Undefined variable $x',
      file: '/wordpress/a.php',
      line: 7,
    })
    expect(entries[1]).toMatchObject({
      level: 'fatal',
      message: 'Uncaught Exception: boom',
      file: '/internal/eval.php',
      line: 3,
    })
    expect(entries[1]?.raw).toContain('#0 {main}')
    expect(entries[2]).toMatchObject({ level: 'other', message: 'plugin says hello', file: undefined })
  })

  it('recognises parse errors and deprecations', () => {
    const [parse, deprecated] = parsePhpLog(
      '[t] PHP Parse error:  syntax error, unexpected end of file in /x.php on line 2\n' +
        '[t] PHP Deprecated:  Creation of dynamic property in /y.php on line 9\n',
    )
    expect(parse).toMatchObject({ level: 'parse', file: '/x.php', line: 2 })
    expect(deprecated).toMatchObject({ level: 'deprecated', file: '/y.php', line: 9 })
  })
})
