import { chmod, rm } from 'node:fs/promises'
import path from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { USER_ROLES, type UserRole } from './add-user.js'

/** The admin socket of a data directory: `codebox host …` commands reach a running host through it. */
export const ADMIN_SOCKET = '.codebox-host.sock'

/** What the admin socket calls on the running host. */
export interface AdminOperations {
  addUser(tenant: string, login: string, role: UserRole): Promise<unknown>
  backup(tenant: string, file: string): Promise<unknown>
  restore(tenant: string, file: string): Promise<unknown>
  reload(): Promise<unknown>
}

/** The admin socket's path for a data directory. */
export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, ADMIN_SOCKET)
}

function errorDocument(error: unknown): { code: string; message: string; details: unknown } {
  const coded = error as { code?: unknown; message?: unknown; details?: unknown }
  return {
    code: typeof coded.code === 'string' ? coded.code : 'HOST_INTERNAL_ERROR',
    message: error instanceof Error ? error.message : String(error),
    details: coded.details ?? {},
  }
}

/**
 * Serves admin operations on a Unix socket in the data directory, mode 0600: whoever may open it is the OS user that
 * owns the data, the same who could read the databases directly. Answers are JSON; an application password created
 * by `users` is in the answer and in no log.
 */
export async function listenAdminSocket(
  dataDir: string,
  operations: AdminOperations,
): Promise<FastifyInstance> {
  const socket = adminSocketPath(dataDir)
  await rm(socket, { force: true })
  const app = Fastify({ logger: false })
  app.setErrorHandler((error, _request, reply) => reply.code(400).send({ error: errorDocument(error) }))
  const body = (request: { body: unknown }) => (request.body ?? {}) as Record<string, unknown>
  app.post<{ Params: { tenant: string } }>('/tenants/:tenant/users', async (request) => {
    const { login, role } = body(request)
    if (typeof login !== 'string' || !USER_ROLES.includes(role as UserRole)) {
      throw Object.assign(new Error(`give a login and a role (${USER_ROLES.join(', ')})`), {
        code: 'HOST_USAGE',
      })
    }
    return operations.addUser(request.params.tenant, login, role as UserRole)
  })
  app.post<{ Params: { tenant: string } }>('/tenants/:tenant/backup', async (request) =>
    operations.backup(request.params.tenant, String(body(request).file ?? '')),
  )
  app.post<{ Params: { tenant: string } }>('/tenants/:tenant/restore', async (request) =>
    operations.restore(request.params.tenant, String(body(request).file ?? '')),
  )
  app.post('/reload', async () => operations.reload())
  await app.listen({ path: socket })
  await chmod(socket, 0o600)
  return app
}
