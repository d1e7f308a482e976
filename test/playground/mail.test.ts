/**
 * Mail capture against the real Playground runtime: a plugin that mails on `publish_post` never reaches PHPMailer;
 * the message shows in `runtime.mail()`, in a `mail.captured` event and in the bundle's `mail.jsonl`, with a
 * connector secret redacted everywhere.
 */
import { mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { verifyBundle } from '@codebox/artifacts'
import { type PlaygroundCommands, playground } from '@codebox/backend-playground'
import { createRuntime, type Runtime, type RuntimeEvent } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'codebox-mailer')
const TOKEN = 'mailer-Token-6d1f0b9a7c'
const php = (code: string) => ({ code: `<?php ${code}`, bootstrap: 'wordpress' as const })

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
}

describe('mail capture', () => {
  let runtime: Runtime<PlaygroundCommands>
  let out: string
  const events: RuntimeEvent[] = []

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'codebox-mail-'))
    runtime = await createRuntime({
      backend: playground(),
      policy: {
        commands: { allow: ['wordpress.*'] },
        filesystem: { mounts: [{ path: await realpath(PLUGIN), modes: ['readonly'] }] },
        secrets: 'connector-scoped',
      },
      connectors: [{ name: 'mailer', secrets: ['CODEBOX_MAILER_TOKEN'] }],
      env: { CODEBOX_MAILER_TOKEN: TOKEN },
      mounts: [{ source: PLUGIN, target: '/wordpress/wp-content/plugins/codebox-mailer' }],
    })
    runtime.on('*', (event) => events.push(event))
    const activated = await runtime.execute({
      command: 'wordpress.plugin-activate',
      args: { plugin: 'codebox-mailer/codebox-mailer.php' },
    })
    expect(activated.status).toBe('ok')
  }, 180_000)

  afterAll(async () => {
    await runtime?.destroy()
    if (out) await rm(out, { recursive: true, force: true })
  })

  it('captures the mail a plugin sends on a hook instead of handing it to PHPMailer', async () => {
    const published = await runtime.execute({
      command: 'wordpress.run-php',
      args: php(
        "$id = wp_insert_post(array('post_title' => 'Hello mail', 'post_status' => 'publish')); echo json_encode(array('id' => $id, 'result' => get_option('codebox_mailer_last_result'), 'phpmailer' => get_option('codebox_mailer_phpmailer_used', 'no')));",
      ),
    })
    expect(published.status).toBe('ok')
    const outcome = JSON.parse(published.stdout) as { id: number; result: string; phpmailer: string }
    expect(outcome).toMatchObject({ result: 'sent', phpmailer: 'no' })

    const [message, ...more] = runtime.mail()
    expect(more).toEqual([])
    expect(message).toMatchObject({
      index: 0,
      from: 'Mailer <mailer@example.org>',
      to: ['admin@localhost.com'],
      cc: ['editor@example.org', 'desk@example.org'],
      bcc: ['audit@example.org'],
      subject: 'Published: Hello mail',
      attachments: [
        { name: 'codebox-mailer-summary.txt', sizeBytes: `post ${outcome.id}\n`.length },
        { name: 'report.pdf', sizeBytes: null },
      ],
      command: { index: published.index, command: 'wordpress.run-php' },
    })
    expect(message?.headers).toContain(`X-Codebox-Post: ${outcome.id}`)
    expect(message?.body.text).toBe(
      'A new post was published: Hello mail\nToken: [REDACTED:CODEBOX_MAILER_TOKEN]\n',
    )
    expect(message?.body.totalBytes).toBe(`A new post was published: Hello mail\nToken: ${TOKEN}\n`.length)

    const event = events.find((candidate) => candidate.type === 'mail.captured')
    expect(event).toMatchObject({
      seq: message?.seq,
      subject: 'Published: Hello mail',
      command: 'wordpress.run-php',
      commandIndex: published.index,
    })
    expect(JSON.stringify(runtime.mail())).not.toContain(TOKEN)
    expect(JSON.stringify(events)).not.toContain(TOKEN)
  })

  it('cuts a body over 1 MiB inside PHP and keeps its size as sent', async () => {
    const sent = await runtime.execute({
      command: 'wordpress.run-php',
      args: php("var_export(wp_mail('big@example.org', 'Big', str_repeat('x', 3 * 1024 * 1024)));"),
    })
    expect(sent.stdout).toBe('true')
    const big = runtime.mail().find((message) => message.subject === 'Big')
    expect(big?.body).toMatchObject({
      totalBytes: 3 * 1024 * 1024,
      truncated: true,
      omittedBytes: 2 * 1024 * 1024,
    })
    expect(big?.body.text.length).toBeLessThan(1024 * 1024 + 100)
    expect(big?.from).toBe('WordPress <wordpress@127.0.0.1>')
  })

  it('keeps captured mail across a checkpoint restore: mail is what the runtime did, not site state', async () => {
    const before = runtime.mail().length
    await runtime.checkpoint('before-mail')
    await runtime.execute({
      command: 'wordpress.run-php',
      args: php("wp_mail('later@example.org', 'After the checkpoint', 'body');"),
    })
    await runtime.restore('before-mail')
    expect(runtime.mail()).toHaveLength(before + 1)
    expect(runtime.mail().at(-1)?.subject).toBe('After the checkpoint')
  })

  it('writes every message to mail.jsonl of a bundle that verifies and holds the secret nowhere', async () => {
    const bundle = await runtime.collect({ directory: out })
    const report = await verifyBundle(bundle.path)
    expect(report.problems).toEqual([])
    const lines = (await readFile(join(bundle.path, 'mail.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { subject: string; body: { text: string } })
    expect(lines.map((line) => line.subject)).toEqual(runtime.mail().map((message) => message.subject))
    expect(lines[0]?.body.text).toContain('[REDACTED:CODEBOX_MAILER_TOKEN]')
    const manifest = JSON.parse(await readFile(join(bundle.path, 'manifest.json'), 'utf8'))
    expect(manifest.counts.mail).toBe(lines.length)
    for (const file of await filesUnder(bundle.path))
      expect((await readFile(file)).includes(TOKEN), file).toBe(false)
  })
})
