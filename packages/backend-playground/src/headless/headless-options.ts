import { z } from 'zod'

/**
 * The HTTP status a headless runtime answers for front-end (theme-rendered) URLs: `404 Not Found`, because a
 * headless site has no front end at all (410 would claim the pages once existed). Use `frontendStatus` to change it.
 */
export const DEFAULT_FRONTEND_STATUS = 404

/**
 * The headless policy pack: a must-use plugin (`wp-content/mu-plugins/codebox-headless.php`) the backend installs at
 * create. Every rule is on by default; set one to `false` to let WordPress behave as usual for it.
 */
export const HeadlessOptionsSchema = z.strictObject({
  /** No file modifications from inside WordPress: plugin/theme install, edit, update, delete (`DISALLOW_FILE_MODS`). Default true. */
  fileMods: z.boolean().default(true),
  /** Automatic core, plugin, theme and translation updates off. Default true. */
  autoUpdates: z.boolean().default(true),
  /** WP-Cron never spawns inside the runtime (`DISABLE_WP_CRON`); scheduling belongs outside. Default true. */
  cron: z.boolean().default(true),
  /** Local uploads refused (`upload_files` capability, `wp_handle_upload`, `wp_upload_bits`, `POST /wp/v2/media`). Default true. */
  uploads: z.boolean().default(true),
  /**
   * Outbound WordPress HTTP (`wp_remote_*`) refused unless the runtime's `policy.network` allows the host, matched like
   * `isHostAllowed` of `@codebox/policy`; each refusal is a `network.blocked` event with `via: 'wordpress-http'`.
   * Default true.
   */
  outboundHttp: z.boolean().default(true),
  /** XML-RPC off: `/xmlrpc.php` answers 403 and no XML-RPC method runs. Default true. */
  xmlrpc: z.boolean().default(true),
  /**
   * Front-end theme rendering off: every theme-rendered URL (pages, archives, feeds, sitemaps) answers
   * `frontendStatus` with a small JSON body; `/graphql`, `/wp-json/` and wp-admin are unaffected. Default true.
   */
  frontend: z.boolean().default(true),
  /** The status for front-end URLs when `frontend` is on: 404 (default) or 410. */
  frontendStatus: z.union([z.literal(404), z.literal(410)]).default(DEFAULT_FRONTEND_STATUS),
})

/** What a caller passes as `playground({ headless })`. */
export type HeadlessOptions = z.input<typeof HeadlessOptionsSchema>

/** Headless options with defaults applied. */
export type ResolvedHeadlessOptions = z.output<typeof HeadlessOptionsSchema>
