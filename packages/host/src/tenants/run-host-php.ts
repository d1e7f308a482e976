import { HostError } from '../host-error.js'
import type { TenantRuntimeHandle } from './create-tenant-runtime.js'

/**
 * Runs one of the host's PHP programs in a tenant's runtime with WordPress loaded. `args` travel as base64 JSON (never
 * spliced into PHP source); the program's body reads `$codebox_host_args` and ends with `codebox_host_result($value)`
 * or `codebox_host_error($code, $message)`. Returns the value.
 *
 * @throws {@link HostError} with the program's error code, or `HOST_PHP_FAILED` when it did not answer.
 */
export async function runHostPhp<T>(
  runtime: TenantRuntimeHandle,
  body: string,
  args: unknown,
  options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
): Promise<T> {
  const encoded = Buffer.from(JSON.stringify(args ?? null), 'utf8').toString('base64')
  const code = `<?php
$codebox_host_args = json_decode(base64_decode('${encoded}'), true);
function codebox_host_result($value) {
  while (ob_get_level() > 0) { ob_end_clean(); }
  echo "\\n" . json_encode(array('ok' => true, 'value' => $value), JSON_UNESCAPED_SLASHES);
  exit(0);
}
function codebox_host_error($code, $message) {
  while (ob_get_level() > 0) { ob_end_clean(); }
  echo "\\n" . json_encode(array('ok' => false, 'code' => $code, 'message' => $message), JSON_UNESCAPED_SLASHES);
  exit(0);
}
ob_start();
${body}
`
  const result = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code },
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const last = result.stdout.trim().split('\n').at(-1) ?? ''
  let answer: { ok: boolean; value?: T; code?: string; message?: string }
  try {
    answer = JSON.parse(last)
  } catch {
    throw new HostError(
      'HOST_PHP_FAILED',
      `The host's PHP program did not answer (${result.status}${result.status === 'ok' ? '' : `: ${result.message}`}).`,
      { details: { status: result.status } },
    )
  }
  if (!answer.ok) {
    throw new HostError(answer.code ?? 'HOST_PHP_FAILED', answer.message ?? 'the PHP program failed')
  }
  return answer.value as T
}
