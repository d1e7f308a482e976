import { XMLParser } from 'fast-xml-parser'
import { BackendPlaygroundError } from '../errors.js'

/** How one test case ended. */
export type PhpunitCaseStatus = 'passed' | 'failed' | 'error' | 'skipped'

/** One test case of a PHPUnit run, from its JUnit report. */
export interface PhpunitCase {
  /** `Class::method` (with the data set, when PHPUnit names one). */
  readonly name: string
  readonly class: string
  readonly status: PhpunitCaseStatus
  /** Where the test is defined (`file:line`), when the report says. */
  readonly file?: string
  readonly line?: number
  readonly timeMs: number
  /** The failure or error: its type (the exception class) and PHPUnit's message, diff and trace included. */
  readonly problem?: { readonly type: string; readonly message: string }
  /** Where the failure happened: the first trace line inside the test's own file, else the first trace line. */
  readonly location?: { readonly file: string; readonly line: number }
}

/** What a PHPUnit run reported (`--log-junit`): totals and every case. */
export interface PhpunitReport {
  readonly tests: number
  readonly assertions: number
  readonly failures: number
  readonly errors: number
  readonly skipped: number
  readonly timeMs: number
  readonly cases: readonly PhpunitCase[]
}

type XmlNode = Record<string, unknown>

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '#text',
  // Suites nest to any depth and a suite may hold one case or many: always arrays.
  isArray: (name) => name === 'testsuite' || name === 'testcase',
  parseAttributeValue: false,
  trimValues: false,
})

const numberOf = (value: unknown): number => {
  const parsed = Number(value)
  return Number.isFinite(parsed) ? parsed : 0
}
const ms = (seconds: unknown): number => Math.round(numberOf(seconds) * 1000)

function textOf(node: unknown): string {
  if (typeof node === 'string') return node
  if (node && typeof node === 'object') return String((node as XmlNode)['#text'] ?? '')
  return ''
}

/** The first `file:line` of a PHPUnit trace inside `file`, else the first one at all. */
function locationIn(message: string, file: string | undefined): PhpunitCase['location'] {
  const lines = [...message.matchAll(/^(\/[^\n:]+):(\d+)$/gm)].map((match) => ({
    file: match[1] as string,
    line: Number(match[2]),
  }))
  return lines.find((candidate) => candidate.file === file) ?? lines[0]
}

function toCase(node: XmlNode): PhpunitCase {
  const className = String(node.class ?? node.classname ?? '')
  const file = typeof node.file === 'string' ? node.file : undefined
  const line = node.line === undefined ? undefined : numberOf(node.line)
  const base = {
    name: `${className}::${String(node.name ?? '')}`,
    class: className,
    ...(file ? { file } : {}),
    ...(line === undefined ? {} : { line }),
    timeMs: ms(node.time),
  }
  for (const [key, status] of [
    ['error', 'error'],
    ['failure', 'failed'],
  ] as const) {
    const problem = node[key]
    if (problem === undefined) continue
    const message = textOf(problem).trim()
    const type = problem && typeof problem === 'object' ? String((problem as XmlNode).type ?? key) : key
    const location = locationIn(message, file)
    return { ...base, status, problem: { type, message }, ...(location ? { location } : {}) }
  }
  if (node.skipped !== undefined) return { ...base, status: 'skipped' }
  return { ...base, status: 'passed' }
}

function collectCases(suites: readonly XmlNode[], into: PhpunitCase[]): void {
  for (const suite of suites) {
    for (const testcase of (suite.testcase as XmlNode[] | undefined) ?? []) into.push(toCase(testcase))
    collectCases((suite.testsuite as XmlNode[] | undefined) ?? [], into)
  }
}

/**
 * Reads PHPUnit's JUnit report (`--log-junit`, PHPUnit 9 and later): totals from the top suite, every case with
 * its status, and each failure's or error's message and location.
 *
 * @throws {BackendPlaygroundError} `PHPUNIT_REPORT_INVALID` when `xml` is not a JUnit report.
 */
export function parseJunitReport(xml: string): PhpunitReport {
  let document: XmlNode
  try {
    document = parser.parse(xml, true) as XmlNode
  } catch (cause) {
    throw new BackendPlaygroundError('PHPUNIT_REPORT_INVALID', 'The PHPUnit JUnit report is not valid XML.', {
      cause,
    })
  }
  const root = document.testsuites as XmlNode | undefined
  const suites = (root?.testsuite as XmlNode[] | undefined) ?? []
  if (!root || typeof root !== 'object') {
    throw new BackendPlaygroundError(
      'PHPUNIT_REPORT_INVALID',
      'The PHPUnit JUnit report has no <testsuites> element.',
    )
  }
  const cases: PhpunitCase[] = []
  collectCases(suites, cases)
  const count = (status: PhpunitCaseStatus) => cases.filter((test) => test.status === status).length
  const top = suites[0]
  return {
    tests: cases.length,
    assertions: numberOf(top?.assertions),
    failures: count('failed'),
    errors: count('error'),
    skipped: count('skipped'),
    timeMs: ms(top?.time),
    cases,
  }
}
