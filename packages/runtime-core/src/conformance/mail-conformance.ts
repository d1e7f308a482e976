import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import type { RuntimeEvent } from '../events.js'
import type { CreateRuntimeOptions } from '../runtime.js'
import { allowAll, type ConformanceContext } from './conformance-context.js'

const readJsonLines = async (path: string): Promise<Record<string, unknown>[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)

/**
 * `mail()`: what the sandbox sends is captured, never delivered, and shows in `runtime.mail()`, in a
 * `mail.captured` event and in the bundle's `mail.jsonl`, redacted; a snapshot does not carry it.
 */
export function describeMailConformance<C extends CommandCatalogue>(ctx: ConformanceContext<C>): void {
  const { options, timeout, create, exec } = ctx
  const sendMail = options.sendMail
  const title = (text: string): string =>
    sendMail ? text : `${text} (skipped: the backend's conformance options give no sendMail command)`
  describe('mail', () => {
    it(
      'has an empty mailbox and an empty mail.jsonl while nothing was sent',
      async () => {
        const runtime = await create()
        const out = await mkdtemp(join(tmpdir(), 'codebox-conformance-mail-'))
        try {
          await exec(runtime, options.echo('no mail'))
          expect(runtime.mail()).toEqual([])
          const bundle = await runtime.collect({ directory: out })
          expect(await readJsonLines(join(bundle.path, 'mail.jsonl'))).toEqual([])
        } finally {
          await runtime.destroy()
          await rm(out, { recursive: true, force: true })
        }
      },
      timeout,
    )

    it.skipIf(!sendMail)(
      title(
        'captures a sent message in mail(), a mail.captured event of its command and mail.jsonl, secrets redacted',
      ),
      async () => {
        if (!sendMail) return
        const secret = 'conformance-Mail-Secret-41c9e2'
        const runtime = await create({
          policy: { ...allowAll, secrets: 'connector-scoped' },
          connectors: [{ name: 'crm', secrets: ['CRM_TOKEN'] }],
          env: { CRM_TOKEN: secret },
        } as Partial<CreateRuntimeOptions<C>>)
        const out = await mkdtemp(join(tmpdir(), 'codebox-conformance-mail-'))
        const events: RuntimeEvent[] = []
        runtime.on('*', (event) => events.push(event))
        try {
          const sent = await exec(
            runtime,
            sendMail({ to: 'reader@example.org', subject: 'Welcome', body: `Your key is ${secret}.` }),
          )
          expect(sent.status).toBe('ok')
          const [message, ...rest] = runtime.mail()
          expect(rest).toEqual([])
          expect(message).toMatchObject({
            index: 0,
            to: ['reader@example.org'],
            subject: 'Welcome',
            command: { index: sent.index, command: sent.command },
          })
          expect(message?.body.text).toContain('Your key is [REDACTED:CRM_TOKEN].')
          const event = events.find((candidate) => candidate.type === 'mail.captured')
          expect(event).toMatchObject({ subject: 'Welcome', seq: message?.seq, command: sent.command })
          const bundle = await runtime.collect({ directory: out })
          const lines = await readJsonLines(join(bundle.path, 'mail.jsonl'))
          expect(lines).toEqual([expect.objectContaining({ index: 0, subject: 'Welcome' })])
          for (const seen of [
            runtime.mail(),
            events,
            await readFile(join(bundle.path, 'mail.jsonl'), 'utf8'),
          ])
            expect(JSON.stringify(seen)).not.toContain(secret)
        } finally {
          await runtime.destroy()
          await rm(out, { recursive: true, force: true })
        }
      },
      timeout,
    )

    it.skipIf(!sendMail)(
      title('starts a runtime restored from a snapshot with an empty mailbox, and leaves the source its own'),
      async () => {
        if (!sendMail) return
        const before = ctx.shared.mail().length
        await exec(ctx.shared, sendMail({ to: 'fork@example.org', subject: 'Before the fork', body: 'one' }))
        expect(ctx.shared.mail()).toHaveLength(before + 1)
        const child = await create({ from: await ctx.shared.snapshot() })
        try {
          expect(child.mail()).toEqual([])
          await exec(child, sendMail({ to: 'fork@example.org', subject: 'In the fork', body: 'two' }))
          expect(child.mail().map((message) => message.subject)).toEqual(['In the fork'])
          expect(ctx.shared.mail().map((message) => message.subject)).not.toContain('In the fork')
        } finally {
          await child.destroy()
        }
      },
      timeout * 2,
    )
  })
}
