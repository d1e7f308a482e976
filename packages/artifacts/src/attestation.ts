import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto'
import { ArtifactsError } from './artifacts-error.js'
import { type Attestation, type AttestationStatement, type Provenance, SCHEMA_IDS } from './schemas.js'
import { sha256Hex, stableStringify } from './stable-json.js'

/** Domain-separation prefix of the signed bytes, so a signature cannot be replayed for another message type. */
const SIGNING_CONTEXT = 'codebox-attestation-v1\n'

/** A signing key: a KeyObject or a PEM-encoded Ed25519 private key. */
export type SigningKeyInput = KeyObject | string
/** A public key: a KeyObject, or a PEM-encoded SPKI public key (a private key is accepted and its public half used). */
export type PublicKeyInput = KeyObject | string

/** Input of {@link createAttestation}. */
export interface CreateAttestationInput {
  bundleId: string
  createdAt: string
  /** SHA-256 of the exact `manifest.json` bytes. */
  manifestSha256: string
  /** SHA-256 of the exact `commands.jsonl` bytes. */
  commandsSha256: string
  provenance: Provenance
  /** Ed25519 private key; when absent an ephemeral key is generated and discarded. */
  signingKey?: SigningKeyInput
}

/** The bytes an attestation signature covers. */
export function attestationSigningBytes(statement: AttestationStatement): Buffer {
  return Buffer.from(`${SIGNING_CONTEXT}${stableStringify(statement)}`, 'utf8')
}

/** Canonical SPKI PEM of a public key. */
export function publicKeyPem(key: PublicKeyInput): string {
  const obj =
    typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key
  return obj.export({ type: 'spki', format: 'pem' }).toString()
}

function toPrivateKey(key: SigningKeyInput): KeyObject {
  try {
    const obj = typeof key === 'string' ? createPrivateKey(key) : key
    if (obj.type !== 'private' || obj.asymmetricKeyType !== 'ed25519')
      throw new Error('not an Ed25519 private key')
    return obj
  } catch (cause) {
    throw new ArtifactsError('SIGNING_KEY_INVALID', 'The signing key must be an Ed25519 private key.', {
      cause,
    })
  }
}

/**
 * Builds and signs an attestation binding the manifest digest, the command-trace digest and the provenance.
 * Without `signingKey` an ephemeral key is used: the attestation then only shows the bundle is internally consistent
 * (`assurance: 'integrity-only'`), not who produced it.
 */
export function createAttestation(input: CreateAttestationInput): Attestation {
  const keyKind = input.signingKey ? 'provided' : 'ephemeral'
  const privateKey = input.signingKey
    ? toPrivateKey(input.signingKey)
    : generateKeyPairSync('ed25519').privateKey
  const pem = publicKeyPem(privateKey)
  const statement: AttestationStatement = {
    schema: SCHEMA_IDS.attestationStatement,
    bundleId: input.bundleId,
    createdAt: input.createdAt,
    subjects: {
      manifest: { path: 'manifest.json', sha256: input.manifestSha256 },
      commands: { path: 'commands.jsonl', sha256: input.commandsSha256 },
    },
    provenance: input.provenance,
    signer: {
      algorithm: 'ed25519',
      keyKind,
      assurance: keyKind === 'provided' ? 'signed' : 'integrity-only',
      publicKeySha256: sha256Hex(createPublicKey(pem).export({ type: 'spki', format: 'der' })),
    },
  }
  const value = sign(null, attestationSigningBytes(statement), privateKey).toString('base64')
  return {
    schema: SCHEMA_IDS.attestation,
    statement,
    signature: { algorithm: 'ed25519', publicKey: pem, value },
  }
}

/** Result of {@link checkAttestationSignature}. */
export type SignatureCheck =
  | { readonly ok: true }
  | {
      readonly ok: false
      readonly code: 'bad-signature' | 'untrusted-key' | 'invalid-document'
      readonly message: string
    }

/**
 * Checks the signature of a parsed attestation, that its public key is canonical and matches the statement's
 * fingerprint, and — when `trustedKey` is given — that it is that key.
 */
export function checkAttestationSignature(
  attestation: Attestation,
  trustedKey?: PublicKeyInput,
): SignatureCheck {
  let key: KeyObject
  try {
    key = createPublicKey(attestation.signature.publicKey)
  } catch {
    return { ok: false, code: 'invalid-document', message: 'attestation public key cannot be parsed' }
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    return { ok: false, code: 'invalid-document', message: 'attestation public key is not Ed25519' }
  }
  if (publicKeyPem(key) !== attestation.signature.publicKey) {
    return {
      ok: false,
      code: 'invalid-document',
      message: 'attestation public key is not in canonical SPKI PEM form',
    }
  }
  const der = key.export({ type: 'spki', format: 'der' })
  if (sha256Hex(der) !== attestation.statement.signer.publicKeySha256) {
    return {
      ok: false,
      code: 'bad-signature',
      message: 'public key does not match the signed key fingerprint',
    }
  }
  const signature = Buffer.from(attestation.signature.value, 'base64')
  if (!verify(null, attestationSigningBytes(attestation.statement), key, signature)) {
    return { ok: false, code: 'bad-signature', message: 'attestation signature does not verify' }
  }
  if (trustedKey !== undefined) {
    let trusted: string
    try {
      trusted = publicKeyPem(trustedKey)
    } catch {
      return { ok: false, code: 'untrusted-key', message: 'the given public key cannot be parsed' }
    }
    if (trusted !== attestation.signature.publicKey) {
      return {
        ok: false,
        code: 'untrusted-key',
        message: 'attestation was not signed by the given public key',
      }
    }
  }
  return { ok: true }
}
