/**
 * `@codebox/policy`: deny-by-default runtime policy schemas and the helpers that enforce them — commands,
 * network hosts, filesystem mounts, connector credentials, approvals and approved plugins.
 *
 * @packageDocumentation
 */

export type { ApprovalDecision, ApprovalHandler, ApprovalRequest, ApprovalSubject } from './approvals.js'
export { approvalRequired, isApproved } from './approvals.js'
export type { ApprovedPlugin, ApprovedPluginManifest } from './approved-plugins.js'
export {
  APPROVED_PLUGINS_SCHEMA_ID,
  ApprovedPluginManifestSchema,
  ApprovedPluginSchema,
  assertPluginApproved,
  parseApprovedPluginManifest,
} from './approved-plugins.js'
export { assertRuntimeCommandAllowed, isRuntimeCommandAllowed } from './command-policy.js'
export type {
  ConnectorCredentialEnvelope,
  ConnectorCredentialFailure,
  ConnectorCredentialFailureReason,
  ConnectorSecretStatus,
  CredentialSource,
  CredentialStatus,
} from './connector-credential-schemas.js'
export {
  CONNECTOR_CREDENTIAL_FAILURE_SCHEMA_ID,
  CONNECTOR_CREDENTIALS_SCHEMA_ID,
  ConnectorCredentialEnvelopeSchema,
  ConnectorCredentialFailureReasonSchema,
  ConnectorCredentialFailureSchema,
  ConnectorDeclarationSchema,
  ConnectorDeclarationsSchema,
  ConnectorNameSchema,
  ConnectorSecretStatusSchema,
  CredentialSourceSchema,
  CredentialStatusSchema,
  SecretNameSchema,
} from './connector-credential-schemas.js'
export type {
  ConnectorDeclaration,
  CredentialProvider,
  ResolveConnectorCredentialsOptions,
  ResolvedConnectorCredentials,
  ResolvedSecret,
} from './connector-credentials.js'
export { resolveConnectorCredentials } from './connector-credentials.js'
export type { EnforcementStatus, FieldEnforcement, PolicyEnforcementReport } from './enforcement.js'
export {
  EnforcementStatusSchema,
  FieldEnforcementSchema,
  PolicyEnforcementReportSchema,
} from './enforcement.js'
export type {
  JsonValue,
  MountDenialReason,
  PluginDenialReason,
  PolicyErrorOptions,
  PolicyIssue,
  PolicySubject,
} from './errors.js'
export {
  ConnectorCredentialError,
  FilesystemPolicyViolationError,
  PluginNotApprovedError,
  PolicyError,
  PolicyValidationError,
  RuntimeCommandPolicyViolationError,
} from './errors.js'
export type { MountRequest } from './filesystem-policy.js'
export { assertMountAllowed, isWritableRoot } from './filesystem-policy.js'
export type { JsonSchemaDocument } from './json-schemas.js'
export {
  connectorCredentialEnvelopeJsonSchema,
  connectorCredentialFailureJsonSchema,
  policyJsonSchema,
} from './json-schemas.js'
export { isHostAllowed } from './network-policy.js'
export { parsePolicy } from './parse-policy.js'
export { canonicalJson, policyDigest } from './policy-digest.js'
export type {
  ApprovalsPolicy,
  FilesystemPolicy,
  MountMode,
  NetworkPolicy,
  PolicyField,
  RuntimePolicy,
  RuntimePolicyInput,
} from './policy-schema.js'
export {
  ApprovalsPolicySchema,
  CommandPatternSchema,
  CommandsPolicySchema,
  FilesystemPolicySchema,
  HostEntrySchema,
  HostPathSchema,
  MountModeSchema,
  MountRuleSchema,
  NetworkAllowHostsSchema,
  NetworkPolicySchema,
  POLICY_FIELDS,
  permissivePolicy,
  RuntimePathSchema,
  RuntimePolicySchema,
  SecretsPolicySchema,
} from './policy-schema.js'
export { toPolicyIssues } from './zod-issues.js'
