import type { RuntimePolicy } from '@codebox/policy'
import type { BackendInstance } from '@codebox/runtime-core'

const MOUNTS_DETAIL =
  'mounts: sources are checked against filesystem.mounts and modes after realpath, symlinks escaping a ' +
  'mount are refused, readonly mounts refuse every PHP write, readwrite mounts write to a private copy ' +
  'reported as changes (test/policy/filesystem.test.ts)'

/**
 * How the Playground backend enforces the policy fields only a backend can enforce. Each `enforced` claim names the
 * integration tests that fail when the enforcement is removed. `filesystem.writableRoots` is not enforced by this
 * backend (PHP may write anywhere in the runtime's own disposable site layer, never to the host), so a policy that
 * declares writable roots gets `declared-only` for the whole field rather than a claim the backend cannot back.
 */
export function playgroundEnforcement(
  policy: Pick<RuntimePolicy, 'filesystem'>,
): BackendInstance['enforcement'] {
  const roots = policy.filesystem.writableRoots
  return {
    network: {
      status: 'enforced',
      detail:
        "PHP's sockets (curl, http(s) streams, fsockopen, stream_socket_client, and therefore the WordPress HTTP API) " +
        'are replaced in the worker: no relay port is opened; host and port are matched with @codebox/policy, an ' +
        'allowed name that resolves to an internal address needs that address listed too, and each refusal is a ' +
        'network.blocked event (test/policy/network.test.ts)',
    },
    filesystem:
      roots.length === 0
        ? { status: 'enforced', detail: `${MOUNTS_DETAIL}; writableRoots: none declared` }
        : {
            status: 'declared-only',
            detail:
              `${MOUNTS_DETAIL}; but writableRoots (${roots.join(', ')}) is declared only: this backend does not ` +
              "confine PHP's writes inside the runtime's own disposable site layer (it never writes to the host)",
          },
  }
}
