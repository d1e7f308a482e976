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
import type { CapturedMail } from './mail-message.js'
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
  /** The captured mail, for `mail.jsonl`. */
  readonly mail: readonly CapturedMail[]
  /** What the bounded histories already dropped (the oldest records). */
  readonly dropped: {
    readonly commands: { readonly records: number; readonly bytes: number }
    readonly events: { readonly records: number; readonly bytes: number }
    readonly mail: { readonly records: number; readonly bytes: number }
  }
  readonly diagnostics: readonly RuntimeDiagnostic[]
  readonly credentials: readonly ConnectorCredentialEnvelope[]
  readonly contribution: BackendCollectContribution
  readonly timings: Readonly<Record<string, number>>
  readonly snapshot?: RuntimeSnapshot
  /** The bundle's id and `createdAt` when they are not random and now (a deterministic runtime). */
  readonly identity?: { readonly bundleId: string; readonly createdAt: string }
}

/**
 * The per-field enforcement report: runtime-core enforces commands, approvals and secrets itself; the backend
 * states how it enforces network and filesystem. Every `enforced` detail names the integration tests that fail when
 * the enforcement is removed (test/policy/*.test.ts against the Playground backend).
 *
 * @param enforcement - the backend instance's own entries.
 * @param usage - what the run used: `connectors` is the number of connectors declared at create.
 */
export function enforcementReport(
  enforcement: BackendInstance['enforcement'],
  usage: { readonly connectors?: number; readonly approvals?: RuntimePolicy['approvals'] } = {},
): PolicyEnforcementReport {
  return {
    commands: {
      status: 'enforced',
      detail:
        'runtime-core checks commands.allow before every dispatch; a command outside it is denied (test/policy/enforcement-report.test.ts)',
    },
    approvals:
      usage.approvals?.mode === 'never'
        ? {
            status: 'not-applicable',
            detail: "approvals.mode is 'never': no command or write needed approval",
          }
        : {
            status: 'enforced',
            detail:
              'runtime-core asks onApproval with a redacted request before commands and read-write mounts under approval; a rejection or a missing callback denies (test/policy/approvals.test.ts)',
          },
    secrets:
      usage.connectors === 0
        ? {
            status: 'not-applicable',
            detail: 'no connectors were declared, so no secret could reach the runtime',
          }
        : {
            status: 'enforced',
            detail:
              "connector secrets resolve only under secrets: 'connector-scoped' (fail closed otherwise), reach only the declaring runtime and are registered with the redactor (test/policy/secrets.test.ts)",
          },
    network: enforcement.network,
    filesystem: enforcement.filesystem,
  }
}

/** Writes a runtime's bundle through `@codebox/artifacts`. */
export async function collectBundle(input: CollectBundleInput): Promise<CollectResult> {
  const written = await writeBundle(
    {
      provenance: {
        backend: input.provenance.backend,
        components: input.provenance.components.map(({ extensions, ...component }) =>
          extensions === undefined ? component : { ...component, extensions: [...extensions] },
        ),
      },
      policy: {
        effective: input.policy,
        digest: input.policyDigest,
        enforcement: enforcementReport(input.enforcement, {
          connectors: input.credentials.length,
          approvals: input.policy.approvals,
        }),
      },
      inputs: input.inputs,
      commands: [...input.commands],
      events: input.events.map((event) => ({ ...event })),
      mail: input.mail.map((message) => ({ ...message })),
      logs: { ...(input.contribution.logs ?? {}) } as Record<string, string | Uint8Array<ArrayBuffer>>,
      diagnostics: [...input.diagnostics, ...(input.options.diagnostics ?? [])].map((diagnostic) => ({
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
      timings: { ...input.timings, ...input.options.timings },
      dropped: {
        commands: { ...input.dropped.commands },
        events: { ...input.dropped.events },
        mail: { ...input.dropped.mail },
      },
    },
    {
      ...(input.options.directory === undefined ? {} : { directory: input.options.directory }),
      ...(input.options.path === undefined ? {} : { path: input.options.path }),
      format: input.options.format ?? 'directory',
      redactor: input.redactor,
      ...(input.identity ?? {}),
      ...(input.options.signingKey === undefined ? {} : { signingKey: input.options.signingKey }),
      ...(input.options.limits === undefined ? {} : { limits: input.options.limits }),
    },
  )
  return {
    path: written.path,
    bundleId: written.bundleId,
    files: written.manifest.files.length,
    bytes: written.manifest.files.reduce((total, file) => total + file.size, 0),
    omitted: written.omitted,
  }
}
