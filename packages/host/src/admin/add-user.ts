import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto'
import type { TenantRuntimeHandle } from '../tenants/create-tenant-runtime.js'
import { runHostPhp } from '../tenants/run-host-php.js'

/** Roles `host user add` may give: the content roles (and administrator, for the tenant's own admin). */
export const USER_ROLES = ['editor', 'author', 'contributor', 'administrator'] as const

/** A role of {@link USER_ROLES}. */
export type UserRole = (typeof USER_ROLES)[number]

/** A user added with an application password. The password is shown once and stored nowhere by the host. */
export interface AddedUser {
  readonly tenant: string
  readonly login: string
  readonly role: UserRole
  readonly userId: number
  /** The application password's id in WordPress (to revoke it). */
  readonly applicationPasswordId: string
  /** The application password itself: use it as HTTP Basic credentials with `login`. */
  readonly applicationPassword: string
}

const ADD_USER = `
$a = $codebox_host_args;
if (!get_role($a['role'])) { codebox_host_error('HOST_USER_ROLE_UNKNOWN', 'WordPress has no role "' . $a['role'] . '"'); }
if (username_exists($a['login'])) { codebox_host_error('HOST_USER_EXISTS', 'A user with login "' . $a['login'] . '" already exists in this tenant; pick another login'); }
$id = wp_insert_user(array(
  'user_login' => $a['login'],
  'user_pass' => wp_generate_password(48, true, true),
  'user_email' => $a['login'] . '@users.codebox.invalid',
  'role' => $a['role'],
));
if (is_wp_error($id)) { codebox_host_error('HOST_USER_INVALID', $id->get_error_message()); }
$created = WP_Application_Passwords::create_new_application_password($id, array('name' => 'codebox host'));
if (is_wp_error($created)) { codebox_host_error('HOST_USER_PASSWORD_FAILED', $created->get_error_message()); }
$sealed = '';
if (!function_exists('openssl_public_encrypt') || !openssl_public_encrypt($created[0], $sealed, $a['publicKey'], OPENSSL_PKCS1_OAEP_PADDING)) {
  WP_Application_Passwords::delete_application_password($id, $created[1]['uuid']);
  codebox_host_error('HOST_USER_PASSWORD_FAILED', 'The application password could not be sealed for the host (openssl unavailable)');
}
codebox_host_result(array('userId' => $id, 'uuid' => $created[1]['uuid'], 'sealed' => base64_encode($sealed)));
`

/**
 * Adds a user with `role` to a tenant's WordPress and creates an application password for it. The password never
 * appears in the runtime's command history, events or logs: PHP seals it with a one-time RSA public key of this call
 * and only the host, holding the private key in memory, opens it.
 */
export async function addUser(
  runtime: TenantRuntimeHandle,
  tenant: string,
  login: string,
  role: UserRole,
  options: { readonly signal?: AbortSignal } = {},
): Promise<AddedUser> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  const answer = await runHostPhp<{ userId: number; uuid: string; sealed: string }>(
    runtime,
    ADD_USER,
    { login, role, publicKey },
    options,
  )
  const password = privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(answer.sealed, 'base64'),
  ).toString('utf8')
  return {
    tenant,
    login,
    role,
    userId: answer.userId,
    applicationPasswordId: answer.uuid,
    applicationPassword: password,
  }
}
