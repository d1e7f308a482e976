/**
 * PHP programs behind the `wordpress.*` commands. Arguments travel as base64-encoded JSON, never spliced into PHP
 * source, so no argument can inject code. Each program prints exactly one JSON document on stdout; incidental
 * output from WordPress or plugins is captured into its `output` field.
 */

/** Where WordPress lives inside every runtime. */
export const DOCUMENT_ROOT = '/wordpress'

/** The SQLite database of a site, relative to its root (the site directory, or DOCUMENT_ROOT in PHP). */
export const DATABASE_PATH = 'wp-content/database/.ht.sqlite'

function encodeArgs(args: unknown): string {
  return Buffer.from(JSON.stringify(args ?? null), 'utf8').toString('base64')
}

function program(args: unknown, body: string, loadWordPress = true): string {
  return `<?php
$codebox_args = json_decode(base64_decode('${encodeArgs(args)}'), true);
function codebox_result($value, $code = 0) {
  $output = '';
  while (ob_get_level() > 0) { $output = ob_get_clean() . $output; }
  echo json_encode(array('value' => $value, 'output' => $output), JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR);
  exit($code);
}
function codebox_error($message, $code = 1) {
  $output = '';
  while (ob_get_level() > 0) { $output = ob_get_clean() . $output; }
  echo json_encode(array('error' => $message, 'output' => $output), JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR);
  exit($code);
}
ob_start();
${loadWordPress ? `require_once '${DOCUMENT_ROOT}/wp-load.php';` : ''}
${body}
`
}

const FIND_PLUGIN = `
require_once ABSPATH . 'wp-admin/includes/plugin.php';
function codebox_find_plugin($wanted) {
  $plugins = get_plugins();
  if (isset($plugins[$wanted])) { return $wanted; }
  foreach (array_keys($plugins) as $file) {
    if (dirname($file) === $wanted || basename($file, '.php') === $wanted) { return $file; }
  }
  codebox_error('No installed plugin matches "' . $wanted . '". Installed: ' . implode(', ', array_keys($plugins)), 2);
}
`

/** `wordpress.rest-request`: dispatches through rest_do_request() as the chosen user. */
export function restRequestProgram(args: unknown): string {
  return program(
    args,
    `
$as = $codebox_args['as'];
if ($as === 'anonymous') { wp_set_current_user(0); }
elseif ($as === 'admin') { wp_set_current_user(1); }
elseif (is_int($as)) { wp_set_current_user($as); }
else { $user = get_user_by('login', $as); if (!$user) { codebox_error('No user with login "' . $as . '"', 2); } wp_set_current_user($user->ID); }
$request = new WP_REST_Request($codebox_args['method'], $codebox_args['route']);
$params = isset($codebox_args['params']) ? $codebox_args['params'] : array();
if ($codebox_args['method'] === 'GET' || $codebox_args['method'] === 'HEAD') { $request->set_query_params($params); }
else { $request->set_body_params($params); $request->set_header('content-type', 'application/json'); $request->set_body(json_encode((object) $params)); }
foreach ((isset($codebox_args['headers']) ? $codebox_args['headers'] : array()) as $name => $value) { $request->set_header($name, $value); }
$response = rest_do_request($request);
$server = rest_get_server();
$data = $server->response_to_data($response, false);
codebox_result(array('status' => $response->get_status(), 'data' => $data, 'headers' => (object) $response->get_headers()));
`,
  )
}

/** `wordpress.plugin-activate`. */
export function pluginActivateProgram(args: unknown): string {
  return program(
    args,
    `${FIND_PLUGIN}
$file = codebox_find_plugin($codebox_args['plugin']);
$result = activate_plugin($file, '', false, false);
if (is_wp_error($result)) { codebox_error('Could not activate ' . $file . ': ' . $result->get_error_message()); }
codebox_result(array('file' => $file));
`,
  )
}

/** `wordpress.plugin-deactivate`. */
export function pluginDeactivateProgram(args: unknown): string {
  return program(
    args,
    `${FIND_PLUGIN}
$file = codebox_find_plugin($codebox_args['plugin']);
deactivate_plugins(array($file), false, false);
if (is_plugin_active($file)) { codebox_error('Plugin ' . $file . ' is still active after deactivation'); }
codebox_result(array('file' => $file));
`,
  )
}

/** `wordpress.plugin-list`. */
export function pluginListProgram(): string {
  return program(
    {},
    `
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$rows = array();
foreach (get_plugins() as $file => $data) {
  $rows[] = array('file' => $file, 'name' => $data['Name'], 'version' => $data['Version'], 'active' => is_plugin_active($file), 'mustUse' => false);
}
foreach (get_mu_plugins() as $file => $data) {
  $rows[] = array('file' => $file, 'name' => $data['Name'], 'version' => $data['Version'], 'active' => true, 'mustUse' => true);
}
codebox_result($rows);
`,
  )
}

/** `wordpress.option-get`. */
export function optionGetProgram(args: unknown): string {
  return program(
    args,
    `
$missing = new stdClass();
$value = get_option($codebox_args['name'], $missing);
codebox_result($value === $missing ? array('exists' => false, 'value' => null) : array('exists' => true, 'value' => $value));
`,
  )
}

/** `wordpress.option-set`. */
export function optionSetProgram(args: unknown): string {
  return program(
    args,
    `
$autoload = array_key_exists('autoload', $codebox_args) ? $codebox_args['autoload'] : null;
$before = get_option($codebox_args['name']);
$updated = update_option($codebox_args['name'], $codebox_args['value'], $autoload);
if (!$updated && $before !== $codebox_args['value'] && get_option($codebox_args['name']) !== $codebox_args['value']) {
  codebox_error('WordPress refused to store option "' . $codebox_args['name'] . '"');
}
codebox_result(array('updated' => $updated));
`,
  )
}

/**
 * `wordpress.wp-cli`: runs a real wp-cli.phar in the PHP runtime, emulating the CLI environment: argv, STDOUT and
 * STDERR streams, and a STDIN that fails loudly instead of blocking (the sandbox has no terminal).
 */
export function wpCliProgram(pharPath: string, argv: readonly string[]): string {
  const args = [pharPath, `--path=${DOCUMENT_ROOT}`, ...argv]
  return `<?php
putenv('SHELL_PIPE=0');
$GLOBALS['argv'] = json_decode(base64_decode('${encodeArgs(args)}'), true);
$GLOBALS['argc'] = count($GLOBALS['argv']);
$_SERVER['argv'] = $GLOBALS['argv'];
$_SERVER['argc'] = $GLOBALS['argc'];
class Codebox_Closed_Stdin {
  public $context;
  public function stream_open($path, $mode, $options, &$opened) { return true; }
  public function stream_read($count) { throw new RuntimeException('WP-CLI asked for interactive input, which the sandbox cannot give; pass every value as an argument (e.g. --yes).'); }
  public function stream_eof() { return true; }
  public function stream_stat() { return array(); }
}
stream_wrapper_register('codebox-stdin', 'Codebox_Closed_Stdin');
define('STDIN', fopen('codebox-stdin://in', 'rb'));
define('STDOUT', fopen('php://stdout', 'wb'));
define('STDERR', fopen('php://stderr', 'wb'));
require '${pharPath}';
`
}

/** Parses the single JSON document a command program prints. */
export function parseProgramOutput(
  stdout: string,
): { value?: unknown; error?: string; output: string } | undefined {
  const start = stdout.lastIndexOf('{"')
  for (let index = start; index >= 0; index = stdout.lastIndexOf('{"', index - 1)) {
    try {
      const parsed = JSON.parse(stdout.slice(index)) as { value?: unknown; error?: string; output?: string }
      if (typeof parsed === 'object' && parsed !== null && ('value' in parsed || 'error' in parsed)) {
        return { ...parsed, output: `${stdout.slice(0, index)}${parsed.output ?? ''}` }
      }
    } catch {
      // Keep looking further left: the JSON may contain "{\"" itself.
    }
    if (index === 0) break
  }
  return undefined
}
