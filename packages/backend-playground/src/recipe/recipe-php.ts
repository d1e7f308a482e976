/**
 * PHP programs behind the Playground recipe capabilities (mu-plugin loaders, site seeds, blueprint file steps).
 * Data travels as base64-encoded JSON decoded inside PHP — never spliced into PHP source — so no recipe value can
 * inject code. A failure throws a RuntimeException: the command fails with PHP's fatal message.
 */

function withData(data: unknown, body: string): string {
  const encoded = Buffer.from(JSON.stringify(data), 'utf8').toString('base64')
  return `<?php
$codebox_data = json_decode(base64_decode('${encoded}'), true);
${body}
`
}

/** Writes the loader file that makes WordPress include a must-use plugin kept in its own directory. */
export function muPluginLoaderProgram(data: {
  loaderPath: string
  requirePath: string
  slug: string
}): string {
  return withData(
    data,
    `
$dir = dirname($codebox_data['loaderPath']);
if (!is_dir($dir) && !mkdir($dir, 0777, true)) { throw new RuntimeException('cannot create ' . $dir); }
$loader = "<?php\\n// Written by codebox for the recipe's mu-plugin " . json_encode($codebox_data['slug']) . ".\\n"
  . 'require_once ' . var_export($codebox_data['requirePath'], true) . ";\\n";
if (!file_exists($codebox_data['requirePath'])) { throw new RuntimeException('mu-plugin file not found: ' . $codebox_data['requirePath']); }
if (file_put_contents($codebox_data['loaderPath'], $loader) === false) { throw new RuntimeException('cannot write ' . $codebox_data['loaderPath']); }
echo $codebox_data['loaderPath'];
`,
  )
}

/** Creates a directory (recursively). */
export function mkdirProgram(data: { path: string }): string {
  return withData(
    data,
    `
if (!is_dir($codebox_data['path']) && !mkdir($codebox_data['path'], 0777, true)) { throw new RuntimeException('cannot create ' . $codebox_data['path']); }
`,
  )
}

/** Writes a file (creating its directory). */
export function writeFileProgram(data: { path: string; contents: string }): string {
  return withData(
    data,
    `
$dir = dirname($codebox_data['path']);
if (!is_dir($dir) && !mkdir($dir, 0777, true)) { throw new RuntimeException('cannot create ' . $dir); }
if (file_put_contents($codebox_data['path'], $codebox_data['contents']) === false) { throw new RuntimeException('cannot write ' . $codebox_data['path']); }
`,
  )
}

/** Sets options from data. Runs with WordPress loaded. */
export function seedOptionsProgram(options: Record<string, unknown>): string {
  return withData(
    options,
    `
foreach ($codebox_data as $name => $value) {
  update_option($name, $value);
  if (get_option($name) != $value) { throw new RuntimeException('option ' . $name . ' was not stored'); }
}
echo json_encode(array('options' => array_keys($codebox_data)));
`,
  )
}

/** Creates users from data with generated passwords. Runs with WordPress loaded. */
export function seedUsersProgram(users: readonly unknown[]): string {
  return withData(
    users,
    `
$ids = array();
foreach ($codebox_data as $user) {
  if (get_user_by('login', $user['login'])) { throw new RuntimeException('user ' . $user['login'] . ' already exists'); }
  $id = wp_insert_user(array(
    'user_login' => $user['login'],
    'user_email' => $user['email'],
    'role' => isset($user['role']) ? $user['role'] : 'subscriber',
    'display_name' => isset($user['displayName']) ? $user['displayName'] : $user['login'],
    'user_pass' => wp_generate_password(32, true, true),
  ));
  if (is_wp_error($id)) { throw new RuntimeException('user ' . $user['login'] . ': ' . $id->get_error_message()); }
  foreach ((isset($user['meta']) ? $user['meta'] : array()) as $key => $value) { update_user_meta($id, $key, $value); }
  $ids[$user['login']] = $id;
}
echo json_encode(array('users' => $ids));
`,
  )
}

/** Creates terms from data, in order (a parent must come before its children). Runs with WordPress loaded. */
export function seedTermsProgram(terms: readonly unknown[]): string {
  return withData(
    terms,
    `
$ids = array();
foreach ($codebox_data as $term) {
  $taxonomy = isset($term['taxonomy']) ? $term['taxonomy'] : 'category';
  if (!taxonomy_exists($taxonomy)) { throw new RuntimeException('taxonomy ' . $taxonomy . ' does not exist'); }
  $args = array();
  if (isset($term['slug'])) { $args['slug'] = $term['slug']; }
  if (isset($term['description'])) { $args['description'] = $term['description']; }
  if (isset($term['parent'])) {
    $parent = get_term_by('slug', $term['parent'], $taxonomy);
    if (!$parent) { throw new RuntimeException('parent term ' . $term['parent'] . ' not found in ' . $taxonomy); }
    $args['parent'] = $parent->term_id;
  }
  $result = wp_insert_term($term['name'], $taxonomy, $args);
  if (is_wp_error($result)) { throw new RuntimeException('term ' . $term['name'] . ': ' . $result->get_error_message()); }
  $ids[] = $result['term_id'];
}
echo json_encode(array('terms' => $ids));
`,
  )
}

/** Creates posts from data. Runs with WordPress loaded. */
export function seedPostsProgram(posts: readonly unknown[]): string {
  return withData(
    posts,
    `
$admins = get_users(array('role' => 'administrator', 'number' => 1, 'orderby' => 'ID'));
$ids = array();
foreach ($codebox_data as $post) {
  $author = $admins ? $admins[0]->ID : 0;
  if (isset($post['author'])) {
    $user = get_user_by('login', $post['author']);
    if (!$user) { throw new RuntimeException('post ' . $post['title'] . ': no user with login ' . $post['author']); }
    $author = $user->ID;
  }
  $fields = array(
    'post_title' => $post['title'],
    'post_content' => isset($post['content']) ? $post['content'] : '',
    'post_excerpt' => isset($post['excerpt']) ? $post['excerpt'] : '',
    'post_status' => isset($post['status']) ? $post['status'] : 'publish',
    'post_type' => isset($post['type']) ? $post['type'] : 'post',
    'post_author' => $author,
  );
  if (isset($post['slug'])) { $fields['post_name'] = $post['slug']; }
  $id = wp_insert_post(wp_slash($fields), true);
  if (is_wp_error($id)) { throw new RuntimeException('post ' . $post['title'] . ': ' . $id->get_error_message()); }
  foreach ((isset($post['terms']) ? $post['terms'] : array()) as $taxonomy => $slugs) {
    $set = wp_set_object_terms($id, $slugs, $taxonomy);
    if (is_wp_error($set)) { throw new RuntimeException('post ' . $post['title'] . ' terms: ' . $set->get_error_message()); }
  }
  foreach ((isset($post['meta']) ? $post['meta'] : array()) as $key => $value) { update_post_meta($id, $key, wp_slash($value)); }
  $ids[] = $id;
}
echo json_encode(array('posts' => $ids));
`,
  )
}
