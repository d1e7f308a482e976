import Fastify, { type FastifyInstance } from 'fastify'
import type { HostMetrics } from '../metrics/host-metrics.js'
import type { TenantSet } from '../tenants/tenant-set.js'

/**
 * The operations listener, apart from tenant traffic so that no tenant domain can read it: `GET /healthz` (the
 * process is up and not shutting down), `GET /readyz` (every tenant of the manifest serves; otherwise 503 with each
 * tenant's state) and `GET /metrics` (Prometheus text).
 */
export function createOpsApp(
  tenants: TenantSet,
  metrics: HostMetrics,
  isClosing: () => boolean,
): FastifyInstance {
  const app = Fastify({ logger: false, return503OnClosing: true })
  app.get('/healthz', async (_request, reply) =>
    isClosing() ? reply.code(503).send({ status: 'closing' }) : reply.send({ status: 'ok' }),
  )
  app.get('/readyz', async (_request, reply) => {
    const states = Object.fromEntries(tenants.all().map((tenant) => [tenant.id, tenant.state]))
    const ready = !isClosing() && Object.values(states).every((state) => state === 'ready')
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', tenants: states })
  })
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()))
  return app
}
