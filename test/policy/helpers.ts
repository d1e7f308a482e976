import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import http from 'node:http'

/** A loopback HTTP server that records every request path it receives. */
export interface CountingServer {
  readonly name: string
  readonly port: number
  /** Request paths in arrival order. */
  readonly hits: string[]
  close(): Promise<void>
}

/** Starts a loopback HTTP server answering `reached:<name>:<path>` and counting hits. */
export async function startCountingServer(name: string): Promise<CountingServer> {
  const hits: string[] = []
  const server = http.createServer((request, response) => {
    hits.push(request.url ?? '')
    response.setHeader('connection', 'close')
    response.end(`reached:${name}:${request.url}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    name,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Inodes of TCP sockets in LISTEN state owned by this process (worker threads included). */
export function listeningSocketInodesOfThisProcess(): Set<string> {
  const ownSockets = new Set<string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (match?.[1]) ownSockets.add(match[1])
    } catch {
      // fd closed while listing
    }
  }
  const listening = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols[3] === '0A' && cols[9] && ownSockets.has(cols[9])) listening.add(cols[9])
    }
  }
  return listening
}

/** PHP source embedded safely in a PHP program (no quoting issues). */
export function phpString(value: string): string {
  return `base64_decode('${Buffer.from(value).toString('base64')}')`
}
