import { createHash } from 'node:crypto'
import { fileTypeFromBuffer } from 'file-type'
import type { TenantMediaConfig } from '../manifest/tenant-manifest-schema.js'
import type { TenantRuntimeHandle } from '../tenants/create-tenant-runtime.js'
import { EXTERNAL_URL_META } from '../tenants/host-mu-plugin.js'
import { runHostPhp } from '../tenants/run-host-php.js'
import type { ObjectStore } from './object-store.js'

/** What the client asked to ingest: the bytes and the names it gave them. */
export interface MediaIngestRequest {
  readonly bytes: Uint8Array
  /** A file name hint; only letters, digits, `-` and `_` of its stem are kept. */
  readonly filename?: string | undefined
  readonly title?: string | undefined
  readonly alt?: string | undefined
}

/** The answer of media ingest. */
export type MediaIngestResult =
  | {
      readonly status: 'created'
      readonly attachmentId: number
      readonly url: string
      readonly key: string
      readonly mimeType: string
      readonly bytes: number
    }
  | {
      readonly status: 'unsupported-type'
      readonly detected: string | undefined
      readonly accepted: readonly string[]
    }

const REGISTER_ATTACHMENT = `
$a = $codebox_host_args;
$id = wp_insert_attachment(array(
  'post_title' => $a['title'],
  'post_mime_type' => $a['mimeType'],
  'post_status' => 'inherit',
  'guid' => $a['url'],
), false, 0, true);
if (is_wp_error($id)) { codebox_host_error('HOST_MEDIA_REGISTER_FAILED', $id->get_error_message()); }
update_post_meta($id, '${EXTERNAL_URL_META}', $a['url']);
update_post_meta($id, '_wp_attached_file', $a['key']);
update_post_meta($id, '_wp_attachment_metadata', array('file' => $a['key'], 'filesize' => $a['bytes']));
if ($a['alt'] !== '') { update_post_meta($id, '_wp_attachment_image_alt', $a['alt']); }
codebox_host_result(array('id' => $id));
`

function safeStem(filename: string | undefined): string {
  const stem = (filename ?? '').replace(/\.[^.]*$/, '').toLowerCase()
  const safe = stem.replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')
  return safe.slice(0, 64) || 'media'
}

/**
 * Ingests one media object for a tenant: detects its type from its bytes (never from the declared content type),
 * refuses types the tenant does not accept, stores it in the tenant's object store under
 * `<yyyy>/<mm>/<sha256 prefix>-<name>.<ext>`, and registers an attachment in the tenant's WordPress whose URL is the
 * object's public URL. The caller has checked the token and the size.
 */
export async function ingestMedia(
  runtime: TenantRuntimeHandle,
  config: TenantMediaConfig,
  store: ObjectStore,
  request: MediaIngestRequest,
  options: { readonly timeoutMs: number; readonly signal: AbortSignal },
): Promise<MediaIngestResult> {
  const detected = await fileTypeFromBuffer(request.bytes)
  if (!detected || !config.types.includes(detected.mime)) {
    return { status: 'unsupported-type', detected: detected?.mime, accepted: config.types }
  }
  const digest = createHash('sha256').update(request.bytes).digest('hex').slice(0, 16)
  const now = new Date()
  const month = String(now.getUTCMonth() + 1).padStart(2, '0')
  const key = `${now.getUTCFullYear()}/${month}/${digest}-${safeStem(request.filename)}.${detected.ext}`
  const stored = await store.put(key, request.bytes, detected.mime, { signal: options.signal })
  const registered = await runHostPhp<{ id: number }>(
    runtime,
    REGISTER_ATTACHMENT,
    {
      title: (request.title ?? safeStem(request.filename)).slice(0, 200),
      alt: (request.alt ?? '').slice(0, 500),
      mimeType: detected.mime,
      url: stored.url,
      key: stored.key,
      bytes: request.bytes.byteLength,
    },
    options,
  )
  return {
    status: 'created',
    attachmentId: registered.id,
    url: stored.url,
    key: stored.key,
    mimeType: detected.mime,
    bytes: request.bytes.byteLength,
  }
}
