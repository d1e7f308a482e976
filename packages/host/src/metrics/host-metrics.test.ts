import { describe, expect, it } from 'vitest'
import { HostMetrics } from './host-metrics.js'

const stats = { commands: 12, failures: 2, timeouts: 1, aborted: 0, denied: 3, restarts: 1 }

describe('HostMetrics', () => {
  it("exports each tenant's runtime counters (runtime.stats()) as Prometheus counters, read at scrape time", async () => {
    const metrics = new HostMetrics()
    let commands = stats.commands
    metrics.sampleTenantsWith(() => [
      {
        tenant: 'acme',
        ready: true,
        inFlight: 0,
        queued: 0,
        phpMemoryLimitBytes: 1,
        runtime: { ...stats, commands },
      },
      { tenant: 'starting', ready: false, inFlight: 0, queued: 0, phpMemoryLimitBytes: 1 },
    ])
    const text = await metrics.text()
    expect(text).toContain('# TYPE codebox_host_tenant_commands_total counter')
    expect(text).toContain('codebox_host_tenant_commands_total{tenant="acme"} 12')
    expect(text).toContain('codebox_host_tenant_command_failures_total{tenant="acme"} 2')
    expect(text).toContain('codebox_host_tenant_command_timeouts_total{tenant="acme"} 1')
    expect(text).toContain('codebox_host_tenant_commands_denied_total{tenant="acme"} 3')
    expect(text).toContain('codebox_host_tenant_runtime_restarts_total{tenant="acme"} 1')
    // A tenant without a runtime yet has no series rather than a misleading zero.
    expect(text).not.toMatch(/codebox_host_tenant_commands_total\{tenant="starting"\}/)

    commands = 20
    expect(await metrics.text()).toContain('codebox_host_tenant_commands_total{tenant="acme"} 20')
  })
})
