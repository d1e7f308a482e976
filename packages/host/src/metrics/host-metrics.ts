import type { RuntimeStats } from '@codebox/runtime-core'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** What the host reports about each tenant at scrape time. */
export interface TenantGaugeSample {
  readonly tenant: string
  /** 1 when the tenant's runtime serves requests. */
  readonly ready: boolean
  readonly inFlight: number
  readonly queued: number
  /** The tenant's PHP `memory_limit` in bytes: the bound on its PHP heap. */
  readonly phpMemoryLimitBytes: number
  /** The counters of the tenant's current runtime, when it has one. */
  readonly runtime?: RuntimeStats | undefined
}

/** The runtime counters exported per tenant: metric name, help, and the `RuntimeStats` field. */
const RUNTIME_COUNTERS = [
  ['codebox_host_tenant_commands_total', 'Commands the tenant’s runtime finished (any status).', 'commands'],
  ['codebox_host_tenant_command_failures_total', 'Commands that finished with status failed.', 'failures'],
  ['codebox_host_tenant_command_timeouts_total', 'Commands stopped at their deadline.', 'timeouts'],
  ['codebox_host_tenant_commands_aborted_total', 'Commands stopped by a signal or by destroy.', 'aborted'],
  ['codebox_host_tenant_commands_denied_total', 'Commands the policy refused.', 'denied'],
  [
    'codebox_host_tenant_runtime_restarts_total',
    'Times the tenant’s runtime replaced a lost PHP worker and went on.',
    'restarts',
  ],
] as const satisfies readonly (readonly [string, string, keyof RuntimeStats])[]

/** Where the request was going, as a metrics label. */
export type MetricRoute = 'graphql' | 'rest' | 'media' | 'other'

/**
 * The host's Prometheus metrics, in a registry of its own: requests, latency, errors, active runtimes and memory,
 * each by tenant (the tenant id is a label; nothing else about a request is). Process metrics (RSS, heap, event
 * loop) come from prom-client's defaults.
 */
export class HostMetrics {
  readonly registry = new Registry()
  readonly #requests: Counter<'tenant' | 'route' | 'status'>
  readonly #duration: Histogram<'tenant' | 'route'>
  readonly #errors: Counter<'tenant' | 'reason'>
  readonly #reloads: Counter<'result'>
  #sample: () => readonly TenantGaugeSample[] = () => []

  constructor() {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'codebox_host_' })
    this.#requests = new Counter({
      name: 'codebox_host_requests_total',
      help: 'Requests answered, by tenant, route and HTTP status.',
      labelNames: ['tenant', 'route', 'status'],
      registers,
    })
    this.#duration = new Histogram({
      name: 'codebox_host_request_duration_seconds',
      help: 'Time from a request’s arrival to its answer, queueing included.',
      labelNames: ['tenant', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    })
    this.#errors = new Counter({
      name: 'codebox_host_errors_total',
      help: 'Requests the host refused or could not serve, by tenant ("" before one is known) and reason.',
      labelNames: ['tenant', 'reason'],
      registers,
    })
    this.#reloads = new Counter({
      name: 'codebox_host_manifest_reloads_total',
      help: 'Tenant manifest reloads, by result (applied or rejected).',
      labelNames: ['result'],
      registers,
    })
    const sample = () => this.#sample()
    new Gauge({
      name: 'codebox_host_runtimes_active',
      help: 'Tenant runtimes ready to serve.',
      registers,
      collect() {
        this.set(sample().filter((tenant) => tenant.ready).length)
      },
    })
    const perTenant = (name: string, help: string, read: (tenant: TenantGaugeSample) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['tenant'],
        registers,
        collect() {
          this.reset()
          for (const tenant of sample()) this.set({ tenant: tenant.tenant }, read(tenant))
        },
      })
    perTenant(
      'codebox_host_tenant_up',
      'Whether the tenant’s runtime serves requests (1) or not (0).',
      (t) => (t.ready ? 1 : 0),
    )
    perTenant(
      'codebox_host_tenant_in_flight',
      'Requests being served by the tenant’s runtime.',
      (t) => t.inFlight,
    )
    perTenant(
      'codebox_host_tenant_queued',
      'Requests waiting for a slot of the tenant’s runtime.',
      (t) => t.queued,
    )
    perTenant(
      'codebox_host_tenant_php_memory_limit_bytes',
      'PHP memory_limit of the tenant’s runtime: the bound on its PHP heap.',
      (t) => t.phpMemoryLimitBytes,
    )
    // Read from runtime.stats() at scrape time. They restart from zero when a tenant's runtime is replaced (a
    // restore or a reload), which Prometheus's rate() treats as a counter reset.
    for (const [name, help, field] of RUNTIME_COUNTERS) {
      new Counter({
        name,
        help: `${help} Since the tenant’s runtime started.`,
        labelNames: ['tenant'],
        registers,
        collect() {
          this.reset()
          for (const tenant of sample()) {
            if (tenant.runtime) this.inc({ tenant: tenant.tenant }, tenant.runtime[field])
          }
        },
      })
    }
  }

  /** Sets where per-tenant gauges are read from at scrape time. */
  sampleTenantsWith(sample: () => readonly TenantGaugeSample[]): void {
    this.#sample = sample
  }

  /** Records one answered request. */
  request(tenant: string, route: MetricRoute, status: number, seconds: number): void {
    this.#requests.inc({ tenant, route, status: String(status) })
    this.#duration.observe({ tenant, route }, seconds)
  }

  /** Records a refused or failed request (`misdirected`, `busy`, `timeout`, `bad-request`, `unauthorized`, …). */
  error(tenant: string, reason: string): void {
    this.#errors.inc({ tenant, reason })
  }

  /** Records a manifest reload. */
  reload(result: 'applied' | 'rejected'): void {
    this.#reloads.inc({ result })
  }

  /** The exposition text for `/metrics`. */
  text(): Promise<string> {
    return this.registry.metrics()
  }

  /** The content type of {@link text}. */
  get contentType(): string {
    return this.registry.contentType
  }
}

/** `'256M'` → bytes. */
export function phpMemoryBytes(limit: string): number {
  const match = /^(\d+)([KMG]?)$/.exec(limit)
  if (!match) return 0
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2] as '' | 'K' | 'M' | 'G']
  return Number(match[1]) * unit
}
