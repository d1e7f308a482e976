import { describe, expect, it } from 'vitest'
import { isDestinationAllowed, isInternalAddress, resolveAllowedAddress } from './network-policy.js'

describe('the PHP socket-layer policy check', () => {
  it('uses the policy grammar: ports are honoured and "allow"/"deny" mean what they say', () => {
    const policy = { allowHosts: ['127.0.0.1:8080', '*.example.com'] }
    expect(isDestinationAllowed(policy, '127.0.0.1', 8080)).toBe(true)
    expect(isDestinationAllowed(policy, '127.0.0.1', 8081)).toBe(false)
    expect(isDestinationAllowed(policy, 'api.example.com', 443)).toBe(true)
    expect(isDestinationAllowed(policy, 'example.com', 443)).toBe(false)
    expect(isDestinationAllowed('allow', 'anything.test', 1)).toBe(true)
    expect(isDestinationAllowed('deny', '127.0.0.1', 8080)).toBe(false)
  })

  it('checks 127.0.0.1 also as localhost, because php-wasm resolves localhost there before the socket layer', () => {
    expect(isDestinationAllowed({ allowHosts: ['localhost:8080'] }, '127.0.0.1', 8080)).toBe(true)
    expect(isDestinationAllowed({ allowHosts: ['localhost:8080'] }, '127.0.0.2', 8080)).toBe(false)
  })

  it('refuses invalid ports and empty hosts whatever the policy', () => {
    expect(isDestinationAllowed('allow', '', 80)).toBe(false)
    expect(isDestinationAllowed('allow', 'example.com', 0)).toBe(false)
    expect(isDestinationAllowed('allow', 'example.com', 70000)).toBe(false)
  })

  it('classifies loopback, private, link-local and mapped addresses as internal', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ]) {
      expect(isInternalAddress(address), address).toBe(true)
    }
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']) {
      expect(isInternalAddress(address), address).toBe(false)
    }
  })

  it('lets an allowed name resolve to an internal address only when that address is allowed too', async () => {
    expect(await resolveAllowedAddress({ allowHosts: ['localhost:80'] }, 'localhost', 80)).toMatch(
      /^(127\.|::1$)/,
    )
    expect(await resolveAllowedAddress({ allowHosts: ['127.0.0.1:80'] }, '127.0.0.1', 80)).toBe('127.0.0.1')
    expect(await resolveAllowedAddress({ allowHosts: ['[::1]:80'] }, '[::1]', 80)).toBe('::1')
  })
})
