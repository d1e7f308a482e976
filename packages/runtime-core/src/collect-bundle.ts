import { type Redactor, writeBundle } from '@codebox/artifacts'
import type { ConnectorCredentialEnvelope, PolicyEnforcementReport, RuntimePolicy } from '@codebox/policy'
import type {
  BackendCollectContribution,
  BackendInstance,
  RuntimeDiagnostic,
  RuntimeProvenance,
  RuntimeSnapshot,
} from './backend.js'
import type { RuntimeEvent } from './events.js'
import type { CollectOptions, CollectResult, CommandRecord } from './runtime.js'

/** Everything a runtime hands to the bundle writer. Internal to runtime-core. */
export interface CollectBundleInput {
  readonly options: CollectOptions
  readonly redactor: Redactor
  readonly provenance: RuntimeProvenance
  readonly policy: RuntimePolicy
  readonly policyDigest: string
  readonly enforcement: BackendInstance['enforcement']
  readonly inputs: Record<string, unknown>
  readonly commands: readonly CommandRecord[]
  readonly events: readonly RuntimeEvent[]
  readonly diagnostics: readonly RuntimeDiagnostic[]
  readonly credentials: readonly ConnectorCredentialEnvelope[]
  readonly contribution: BackendCollectContribution
  readonly timings: Readonly<Record<string, number>>
  readonly snapshot?: RuntimeSnapshot
}

/**
 * The per-field enforcement report: runtime-core enforces commands, approvals and secrets itself; the backend
 * states how it enforces network and filesystem.
 */
export function enforcementReport(enforcement: BackendInstance['enforcement']): PolicyEnforcementReport {
  return {
    commands: { status: 'enforced', detail: 'runtime-core checks the allow-list before every dispatch' },
    approvals: {
      status: 'enforced',
      detail: 'runtime-core asks onApproval before commands and writes under approval',
    },
    secrets: {
      status: 'enforced',
      detail:
        'connector secrets resolve only under connector-scoped policy and are registered with the redactor',
    },
    network: enforcement.network,
    filesystem: enforcement.filesystem,
  }
}

/** Writes a runtime's bundle through `@codebox/artifacts`. */
export async function collectBundle(input: CollectBundleInput): Promise<CollectResult> {
  const written = await writeBundle(
    {
      provenance: { backend: input.provenance.backend, components: [...input.provenance.components] },
      policy: {
        effective: input.policy,
        digest: input.policyDigest,
        enforcement: enforcementReport(input.enforcement),
      },
      inputs: input.inputs,
      commands: [...input.commands],
      events: input.events.map((event) => ({ ...event })),
      logs: { ...(input.contribution.logs ?? {}) } as Record<string, string | Uint8Array<ArrayBuffer>>,
      diagnostics: input.diagnostics.map((diagnostic) => ({
        schema: 'wp-codebox/plugin-runtime-diagnostic/v1' as const,
        ...diagnostic,
      })),
      credentials: [...input.credentials],
      ...(input.contribution.changes
        ? {
            changes: {
              mounts: [...input.contribution.changes.mounts],
              files: input.contribution.changes.files.map((file) => ({ ...file })) as never,
            },
          }
        : {}),
      ...(input.snapshot ? { snapshot: input.snapshot.bytes as Uint8Array<ArrayBuffer> } : {}),
      timings: input.timings,
    },
    {
      ...(input.options.directory === undefined ? {} : { directory: input.options.directory }),
      ...(input.options.path === undefined ? {} : { path: input.options.path }),
      format: input.options.format ?? 'directory',
      redactor: input.redactor,
      ...(input.options.signingKey === undefined ? {} : { signingKey: input.options.signingKey }),
    },
  )
  return { path: written.path, bundleId: written.bundleId, files: written.manifest.files.length }
}
