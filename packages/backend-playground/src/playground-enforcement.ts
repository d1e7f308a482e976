import type { BackendInstance } from '@codebox/runtime-core'

/**
 * How the Playground backend enforces the policy fields only a backend can enforce. Each `enforced` claim names the
 * integration tests that fail when the enforcement is removed; what this backend cannot enforce says
 * `declared-only`.
 */
export function playgroundEnforcement(): BackendInstance['enforcement'] {
  return {
    network: {
      status: 'enforced',
      detail:
        "PHP's sockets (curl, http(s) streams, fsockopen, stream_socket_client, and therefore the WordPress HTTP API) " +
        'are replaced in the worker: no relay port is opened; host and port are matched with @codebox/policy, an ' +
        'allowed name that resolves to an internal address needs that address listed too, and each refusal is a ' +
        'network.blocked event (test/policy/network.test.ts)',
    },
    filesystem: {
      status: 'enforced',
      detail:
        'mounts: sources are checked against filesystem.mounts and modes after realpath, symlinks escaping a ' +
        'mount are refused, readonly mounts refuse every PHP write, readwrite mounts write to a private copy ' +
        'reported as changes (test/policy/filesystem.test.ts); writableRoots: declared-only, not enforced by ' +
        "this backend (PHP may write anywhere in the runtime's own disposable site layer, never to the host)",
    },
  }
}
