import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AuditLog, type AuditRecord } from './audit-log.js'

const record = (index: number): AuditRecord => ({
  time: new Date(0).toISOString(),
  requestId: `req-${index}`,
  tenant: 'acme',
  operation: 'rest.read',
  method: 'GET',
  route: '/wp/v2/posts',
  status: 200,
  durationMs: 3,
  authenticated: false,
})

describe('AuditLog', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('writes one JSON line per record', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'codebox-audit-'))
    const log = new AuditLog(dir)
    log.write(record(1))
    log.write(record(2))
    await log.close()
    const lines = (await readFile(path.join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n')
    expect(lines.map((line) => JSON.parse(line).requestId)).toEqual(['req-1', 'req-2'])
  })

  it('rotates by size and keeps the configured number of files', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'codebox-audit-'))
    const log = new AuditLog(dir, { maxBytes: 1024, files: 2 })
    for (let index = 0; index < 60; index++) {
      log.write(record(index))
      // Rotation happens between writes; give the stream its turn.
      await new Promise((resolve) => setImmediate(resolve))
    }
    await log.close()
    const names = (await readdir(dir)).sort()
    expect(names).toContain('audit.jsonl')
    expect(names).toContain('audit.1.jsonl')
    expect(names.filter((name) => name.endsWith('.jsonl')).length).toBeLessThanOrEqual(3)
  })
})
