import type { Redactor } from '@codebox/artifacts'
import { CodeboxError, isCodeboxError } from './errors.js'

/** Marks a `toJSON` this module already wrapped, so an error passing through twice is not wrapped twice. */
const WRAPPED_TO_JSON = Symbol('codebox.redactedToJSON')

type Seen = WeakMap<object, unknown>

/** Redacts a value of any shape: strings, plain objects and arrays (keys too), bytes, nested errors. */
function redactValue(value: unknown, redactor: Redactor, seen: Seen): unknown {
  if (typeof value === 'string') return redactor.redactText(value)
  if (typeof value === 'number') return Number.isFinite(value) ? redactor.redactJson(value) : value
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) return seen.get(value)
  if (value instanceof Error) return redactInPlace(value, redactor, seen)
  if (value instanceof Uint8Array) {
    const redacted = redactor.redactBytes(value)
    seen.set(value, redacted)
    return redacted
  }
  // Containers are copied only when something inside them changed: an error's fields that hold no secret keep
  // their identity (a caller's abort reason, a backend's details), and a read-only field that needs no change is
  // never written.
  if (Array.isArray(value)) {
    const out: unknown[] = []
    seen.set(value, out)
    let changed = false
    for (const item of value) {
      const next = redactValue(item, redactor, seen)
      changed ||= next !== item
      out.push(next)
    }
    return unchangedOr(value, out, changed, seen)
  }
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return value // class instances (Date, KeyObject…) hold no text
  const out: Record<string, unknown> = {}
  seen.set(value, out)
  let changed = false
  for (const [key, item] of Object.entries(value)) {
    const nextKey = redactor.redactText(key)
    const next = redactValue(item, redactor, seen)
    changed ||= nextKey !== key || next !== item
    out[nextKey] = next
  }
  return unchangedOr(value, out, changed, seen)
}

function unchangedOr(original: object, copy: object, changed: boolean, seen: Seen): object {
  if (changed) return copy
  seen.set(original, original)
  return original
}

/**
 * Whether a frozen error's `toJSON()` already carries nothing to redact, so it can stay as it is. A changeable error
 * is always wrapped instead (its fields may change after this point); a frozen one cannot change.
 */
function toJsonIsClean(error: Error, toJSON: (this: Error) => unknown, redactor: Redactor): boolean {
  if (Object.isExtensible(error)) return false
  const json = toJSON.call(error)
  return JSON.stringify(redactor.redactJson(json)) === JSON.stringify(json)
}

/**
 * Redacts an error where it is, so it keeps its class, `code` and identity: `message`, `stack` and every other own
 * data property (`details`, `issues`, `result`, `document`, `cause`, `errors`…), recursively; and `toJSON()` is
 * wrapped so whatever it computes is redacted too. Throws if the error cannot be changed (frozen).
 */
function redactInPlace(error: Error, redactor: Redactor, seen: Seen): Error {
  seen.set(error, error)
  for (const key of Object.getOwnPropertyNames(error)) {
    if (key === 'toJSON') continue
    const descriptor = Object.getOwnPropertyDescriptor(error, key)
    if (!descriptor || !('value' in descriptor)) continue
    const next = redactValue(descriptor.value, redactor, seen)
    if (next === descriptor.value) continue
    Object.defineProperty(error, key, { ...descriptor, value: next })
  }
  const toJSON = (error as { toJSON?: unknown }).toJSON
  if (
    typeof toJSON === 'function' &&
    !(WRAPPED_TO_JSON in toJSON) &&
    !toJsonIsClean(error, toJSON as (this: Error) => unknown, redactor)
  ) {
    const wrapped = Object.assign(
      function (this: unknown): unknown {
        return redactor.redactJson(toJSON.call(this))
      },
      { [WRAPPED_TO_JSON]: true },
    )
    Object.defineProperty(error, 'toJSON', {
      value: wrapped,
      writable: true,
      configurable: true,
      enumerable: false,
    })
  }
  return error
}

/**
 * Makes anything thrown safe to hand to a caller: every secret the redactor knows, and every credential shape, is
 * replaced in the message, the stack, the details, the cause chain and `toJSON()`. Errors are redacted in place so
 * `instanceof`, `code` and extra fields keep working; an error that cannot be changed is replaced by a
 * {@link CodeboxError} with the same code and a redacted message (its cause is dropped, as it could not be cleaned).
 * Internal to runtime-core: every error leaving a runtime or `createRuntime()` passes through it.
 */
export function redactError(error: unknown, redactor: Redactor): unknown {
  if (!(error instanceof Error)) return redactValue(error, redactor, new WeakMap())
  try {
    return redactInPlace(error, redactor, new WeakMap())
  } catch {
    const code = isCodeboxError(error) ? error.code : 'INTERNAL_ERROR'
    return new CodeboxError(code, redactor.redactText(error.message), {
      ...(isCodeboxError(error) ? { details: redactor.redactJson(error.details ?? {}) } : {}),
    })
  }
}

/** Runs `work`; whatever it throws leaves through {@link redactError}. Internal to runtime-core. */
export async function withRedactedErrors<T>(redactor: Redactor, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw redactError(error, redactor)
  }
}
