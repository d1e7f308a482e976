import { describe, expect, it } from 'vitest'
import { FilesystemPolicyViolationError } from './errors.js'
import { assertMountAllowed, isWritableRoot } from './filesystem-policy.js'
import { parsePolicy } from './parse-policy.js'

const filesystem = parsePolicy({
  filesystem: {
    mounts: [
      { path: '/home/me/plugins', modes: ['readonly'] },
      { path: '/home/me/plugins/scratch/', modes: ['readwrite'] },
      { path: '/srv/both', modes: ['readonly', 'readwrite'] },
      { path: '/srv/rw-only', modes: ['readwrite'] },
      { path: 'C:\\Work\\Plugins', modes: ['readonly'] },
    ],
    writableRoots: ['/wordpress/wp-content/uploads', '/tmp/'],
  },
}).filesystem

function denial(source: string, mode: 'readonly' | 'readwrite'): FilesystemPolicyViolationError {
  try {
    assertMountAllowed(filesystem, { source, mode })
  } catch (error) {
    expect(error).toBeInstanceOf(FilesystemPolicyViolationError)
    return error as FilesystemPolicyViolationError
  }
  throw new Error(`expected mounting ${source} as ${mode} to be denied`)
}

describe('assertMountAllowed', () => {
  it('allows a declared path and anything inside it with a declared mode', () => {
    expect(() =>
      assertMountAllowed(filesystem, { source: '/home/me/plugins', mode: 'readonly' }),
    ).not.toThrow()
    expect(() =>
      assertMountAllowed(filesystem, { source: '/home/me/plugins/', mode: 'readonly' }),
    ).not.toThrow()
    expect(() =>
      assertMountAllowed(filesystem, { source: '/home/me/plugins/a/b', mode: 'readonly' }),
    ).not.toThrow()
    expect(() => assertMountAllowed(filesystem, { source: '/srv/both/x', mode: 'readwrite' })).not.toThrow()
  })

  it('compares whole path segments, so a sibling with a common prefix is not inside', () => {
    expect(denial('/home/me/plugins-evil', 'readonly').reason).toBe('not-declared')
    expect(denial('/home/me/plugin', 'readonly').reason).toBe('not-declared')
    expect(denial('/home/me', 'readonly').reason).toBe('not-declared')
  })

  it('resolves ".." lexically before checking, so it cannot climb out of a declared path', () => {
    expect(denial('/home/me/plugins/../secrets', 'readonly').reason).toBe('not-declared')
    expect(denial('/home/me/plugins/../../../etc', 'readonly').reason).toBe('not-declared')
  })

  it('refuses a mode the covering rule does not list, and readwrite does not imply readonly', () => {
    const error = denial('/home/me/plugins/a', 'readwrite')
    expect(error.reason).toBe('mode-not-allowed')
    expect(error.message).toContain('"readonly"')
    expect(denial('/srv/rw-only/x', 'readonly').reason).toBe('mode-not-allowed')
  })

  it('uses a nested rule for its own subtree', () => {
    expect(() =>
      assertMountAllowed(filesystem, { source: '/home/me/plugins/scratch/tmp', mode: 'readwrite' }),
    ).not.toThrow()
  })

  it('refuses relative sources', () => {
    const error = denial('plugins/mine', 'readonly')
    expect(error.reason).toBe('not-absolute')
    expect(error.message).toContain('realpath')
  })

  it('compares Windows paths case-insensitively and with either separator', () => {
    expect(() =>
      assertMountAllowed(filesystem, { source: 'c:\\work\\plugins\\mine', mode: 'readonly' }),
    ).not.toThrow()
    expect(() =>
      assertMountAllowed(filesystem, { source: 'C:/Work/Plugins/mine', mode: 'readonly' }),
    ).not.toThrow()
    expect(denial('C:\\Work\\PluginsEvil', 'readonly').reason).toBe('not-declared')
    expect(denial('D:\\Work\\Plugins', 'readonly').reason).toBe('not-declared')
  })

  it('denies everything under the default policy', () => {
    const none = parsePolicy({}).filesystem
    expect(() => assertMountAllowed(none, { source: '/', mode: 'readonly' })).toThrow(
      FilesystemPolicyViolationError,
    )
  })

  it('throws an error with code, details and a message naming the fix', () => {
    const error = denial('/opt/data', 'readonly')
    expect(error.code).toBe('POLICY_MOUNT_DENIED')
    expect(error.message).toContain('policy.filesystem.mounts')
    expect(error.toJSON()).toEqual({
      name: 'FilesystemPolicyViolationError',
      code: 'POLICY_MOUNT_DENIED',
      message: error.message,
      details: { source: '/opt/data', mode: 'readonly', reason: 'not-declared' },
    })
  })
})

describe('isWritableRoot', () => {
  it('accepts a writable root and paths inside it', () => {
    expect(isWritableRoot(filesystem, '/wordpress/wp-content/uploads')).toBe(true)
    expect(isWritableRoot(filesystem, '/wordpress/wp-content/uploads/2024/a.png')).toBe(true)
    expect(isWritableRoot(filesystem, '/tmp')).toBe(true)
  })

  it('rejects siblings, parents, escapes and relative paths', () => {
    expect(isWritableRoot(filesystem, '/wordpress/wp-content/uploads-evil')).toBe(false)
    expect(isWritableRoot(filesystem, '/wordpress/wp-content')).toBe(false)
    expect(isWritableRoot(filesystem, '/wordpress/wp-content/uploads/../../wp-config.php')).toBe(false)
    expect(isWritableRoot(filesystem, 'wordpress/wp-content/uploads')).toBe(false)
  })

  it('has no writable roots by default', () => {
    expect(isWritableRoot(parsePolicy({}).filesystem, '/tmp')).toBe(false)
  })
})
