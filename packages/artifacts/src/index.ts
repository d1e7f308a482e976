export type {
  ApplyBundleChangesOptions,
  ApplyBundleChangesResult,
  ChangeConflict,
  ChangeConflictReason,
  ChangeOutcome,
  DiscardBundleChangesOptions,
  DiscardBundleChangesResult,
} from './apply-bundle-changes.js'
export { applyBundleChanges, discardBundleChanges } from './apply-bundle-changes.js'
export type { ArtifactsErrorCode, ArtifactsErrorOptions, ArtifactsIssue } from './artifacts-error.js'
export { ArtifactsError, CODEBOX_ERROR_BRAND } from './artifacts-error.js'
export type {
  CreateAttestationInput,
  PublicKeyInput,
  SignatureCheck,
  SigningKeyInput,
} from './attestation.js'
export {
  attestationSigningBytes,
  checkAttestationSignature,
  createAttestation,
  publicKeyPem,
} from './attestation.js'
export type { BoundedStrings } from './bound-strings.js'
export { boundStrings, jsonBytes, utf8Length } from './bound-strings.js'
export type { BoundedLogLimits } from './bounded-log.js'
export { BoundedLog } from './bounded-log.js'
export type { BoundedBufferOptions, ToBoundedTextOptions } from './bounded-text.js'
export {
  BoundedBuffer,
  boundText,
  DEFAULT_MAX_OUTPUT_BYTES,
  truncationMarker,
  withoutText,
} from './bounded-text.js'
export type { BundleInput, ChangeSetInput } from './bundle-input.js'
export { BundleInputSchema, ChangeSetInputSchema } from './bundle-input.js'
export type { BundleLimits } from './bundle-limits.js'
export { DEFAULT_BUNDLE_LIMITS } from './bundle-limits.js'
export { BUNDLE_PATHS } from './bundle-paths.js'
export type { MailAttachment, MailRecord } from './mail-record.js'
export { MailAttachmentSchema, MailRecordSchema } from './mail-record.js'
export type { RedactedSplit, RedactionStream, Redactor, RedactorOptions } from './redactor.js'
export { createRedactor } from './redactor.js'
export type {
  Attestation,
  AttestationStatement,
  BoundedText,
  BundleManifest,
  ChangedFile,
  ChangesDocument,
  CommandRecord,
  CommandRecordInput,
  CommandStatus,
  CredentialsDocument,
  DiagnosticsDocument,
  EnforcementStatus,
  EventRecord,
  ManifestFile,
  OmittedFile,
  PluginRuntimeDiagnostic,
  PolicyRecord,
  Provenance,
  ProvenanceComponent,
  ProvenanceInput,
  RedactionSummary,
  TruncationRecord,
  VerificationProblem,
  VerificationProblemCode,
  VerificationReport,
} from './schemas.js'
export {
  AttestationSchema,
  AttestationStatementSchema,
  BoundedTextSchema,
  BundleManifestSchema,
  ChangedFileSchema,
  ChangesDocumentSchema,
  CommandRecordSchema,
  CommandStatusSchema,
  CredentialsDocumentSchema,
  DiagnosticsDocumentSchema,
  EnforcementStatusSchema,
  EventRecordSchema,
  ManifestFileSchema,
  OmittedFileSchema,
  PluginRuntimeDiagnosticSchema,
  PolicyRecordSchema,
  ProvenanceComponentSchema,
  ProvenanceInputSchema,
  ProvenanceSchema,
  RedactionSummarySchema,
  SCHEMA_IDS,
  TruncationRecordSchema,
  VerificationProblemCodeSchema,
  VerificationProblemSchema,
} from './schemas.js'
export { MIN_SUBSTRING_SECRET_BYTES, SECRET_RUN_BYTES } from './secret-forms.js'
export type { VerifyBundleOptions } from './verify-bundle.js'
export { verifyBundle } from './verify-bundle.js'
export type { WriteBundleOptions, WriteBundleResult } from './write-bundle.js'
export { ARTIFACTS_VERSION, writeBundle } from './write-bundle.js'
