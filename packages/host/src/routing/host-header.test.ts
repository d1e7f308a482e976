import { describe, expect, it } from 'vitest'
import { hostNameOf } from './host-header.js'

describe('hostNameOf', () => {
  it('lower-cases the name and drops the port and a trailing dot', () => {
    expect(hostNameOf(['Host', 'Acme.Test:80'])).toEqual({ ok: true, hostname: 'acme.test' })
    expect(hostNameOf(['host', 'acme.test.'])).toEqual({ ok: true, hostname: 'acme.test' })
    expect(hostNameOf(['host', '[::1]:8080'])).toEqual({ ok: true, hostname: '[::1]' })
  })

  it('refuses a request with two Host headers, even when both name the same tenant', () => {
    expect(hostNameOf(['Host', 'a.test', 'host', 'b.test'])).toEqual({ ok: false, reason: 'duplicate' })
    expect(hostNameOf(['Host', 'a.test', 'HOST', 'a.test'])).toEqual({ ok: false, reason: 'duplicate' })
  })

  it('refuses user info, paths, lists and bad ports instead of guessing a tenant', () => {
    for (const value of [
      'b.test@a.test',
      'a.test/x',
      'a.test, b.test',
      'a.test:99999',
      'a test',
      '',
      ':80',
    ]) {
      expect(hostNameOf(['Host', value]).ok, value).toBe(false)
    }
  })

  it('never reads X-Forwarded-Host or Forwarded', () => {
    expect(hostNameOf(['X-Forwarded-Host', 'a.test', 'Forwarded', 'host=a.test'])).toEqual({
      ok: false,
      reason: 'missing',
    })
    expect(hostNameOf(['Host', 'b.test', 'X-Forwarded-Host', 'a.test'])).toEqual({
      ok: true,
      hostname: 'b.test',
    })
  })
})
