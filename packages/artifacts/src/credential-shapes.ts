/** A rule for an undeclared credential shape. */
interface ShapeRule {
  readonly kind: string
  readonly re: RegExp
  /** Replacement builder; receives the match and groups. */
  readonly replace: (match: string, ...groups: string[]) => string
}

/** The marker that stands in for a redacted value: names the secret or the shape, never the value. */
export const marker = (label: string): string => `[REDACTED:${label}]`

function shape(kind: string, re: RegExp, keep?: (groups: string[]) => [string, string]): ShapeRule {
  return {
    kind,
    re,
    replace: (_m, ...groups) => {
      if (!keep) return marker(kind)
      const [before, after] = keep(groups)
      return `${before}${marker(kind)}${after}`
    },
  }
}

/** Rules for undeclared credential shapes, applied in order (all patterns are ASCII, so bytes and text agree). */
const SHAPES: readonly ShapeRule[] = [
  shape('private-key', /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g),
  // A lone END line means the start of the block was cut away (truncation): drop everything up to it.
  shape('private-key', /^[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g),
  shape('jwt', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g),
  shape('bearer-token', /\b([Bb]earer|BEARER)(\s+)[A-Za-z0-9._~+/-]{16,}=*/g, (g) => [`${g[0]}${g[1]}`, '']),
  shape('basic-auth', /\b(Authorization\s*:\s*Basic\s+)[A-Za-z0-9+/]{8,}=*/gi, (g) => [g[0] ?? '', '']),
  shape('github-token', /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})/g),
  shape('aws-access-key-id', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g),
  shape(
    'aws-secret-access-key',
    /\b(aws_secret_access_key|AWS_SECRET_ACCESS_KEY|SecretAccessKey)("?\s*[=:]\s*"?)[A-Za-z0-9/+=]{40}/g,
    (g) => [`${g[0]}${g[1]}`, ''],
  ),
  shape('slack-token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/g),
  shape('api-key', /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g),
  shape('api-key', /\bsk-[A-Za-z0-9_-]{20,}/g),
  shape('api-key', /\bAIza[0-9A-Za-z_-]{35}/g),
  shape('url-password', /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:@/?#[\]]+:)[^\s@/?#[\]]+(@)/g, (g) => [
    g[0] ?? '',
    g[1] ?? '',
  ]),
]

/** Replaces every credential shape in a binary string; `found(kind)` is called once per replacement. */
export function redactShapes(input: string, found: (kind: string) => void): string {
  let s = input
  for (const rule of SHAPES) {
    rule.re.lastIndex = 0
    s = s.replace(rule.re, (m: string, ...rest: unknown[]) => {
      found(rule.kind)
      const groups = rest.slice(0, -2).map((g) => (typeof g === 'string' ? g : ''))
      return rule.replace(m, ...groups)
    })
  }
  return s
}
