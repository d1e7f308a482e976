import { describe, expect, it } from 'vitest'
import { isHostAllowed } from './network-policy.js'
import { parsePolicy } from './parse-policy.js'

function networkOf(allowHosts: string[]) {
  return parsePolicy({ network: { allowHosts } }).network
}

type Case = [host: string, port: number | undefined, allowed: boolean]

function check(allowHosts: string[], cases: Case[]) {
  const network = networkOf(allowHosts)
  for (const [host, port, allowed] of cases) {
    expect({ host, port, allowed: isHostAllowed(network, host, port) }).toEqual({ host, port, allowed })
  }
}

describe('isHostAllowed', () => {
  it('denies every host under "deny" and allows every host under "allow"', () => {
    expect(isHostAllowed('deny', 'example.com', 443)).toBe(false)
    expect(isHostAllowed('deny', '127.0.0.1')).toBe(false)
    expect(isHostAllowed('allow', 'example.com', 443)).toBe(true)
    expect(isHostAllowed('allow', 'anything.test')).toBe(true)
  })

  it('denies every host with an empty allow-list', () => {
    check([], [['example.com', 443, false]])
  })

  it('matches exact hosts case-insensitively and ignoring one trailing dot', () => {
    check(
      ['example.com', 'API.Example.ORG.'],
      [
        ['example.com', undefined, true],
        ['EXAMPLE.com', 443, true],
        ['example.com.', 80, true],
        ['Example.Com.', undefined, true],
        ['api.example.org', undefined, true],
        ['www.example.com', undefined, false],
        ['example.co', undefined, false],
        ['example.com..', undefined, false],
      ],
    )
  })

  it('does not let look-alike hosts through an exact entry', () => {
    check(
      ['example.com'],
      [
        ['evil-example.com', undefined, false],
        ['example.com.evil.net', undefined, false],
        ['notexample.com', undefined, false],
        ['example.comm', undefined, false],
        ['xexample.com', undefined, false],
      ],
    )
  })

  it('matches wildcard entries at any depth of subdomain but never the apex', () => {
    check(
      ['*.example.com'],
      [
        ['api.example.com', undefined, true],
        ['a.b.c.example.com', 443, true],
        ['API.EXAMPLE.COM.', undefined, true],
        ['example.com', undefined, false],
        ['evil-example.com', undefined, false],
        ['api.evil-example.com', undefined, false],
        ['example.com.evil.net', undefined, false],
        ['api.example.com.evil.net', undefined, false],
        ['.example.com', undefined, false],
      ],
    )
  })

  it('restricts ports only for entries that name one', () => {
    check(
      ['api.example.com:443', 'any.example.com', '*.cdn.example.com:8443'],
      [
        ['api.example.com', 443, true],
        ['api.example.com', 80, false],
        ['api.example.com', undefined, false],
        ['any.example.com', 1, true],
        ['any.example.com', 65535, true],
        ['any.example.com', undefined, true],
        ['x.cdn.example.com', 8443, true],
        ['x.cdn.example.com', 443, false],
      ],
    )
  })

  it('treats two entries for the same host as a union of their ports', () => {
    check(
      ['example.com:80', 'example.com:443'],
      [
        ['example.com', 80, true],
        ['example.com', 443, true],
        ['example.com', 8080, false],
      ],
    )
  })

  it('rejects impossible ports even when any port is allowed', () => {
    check(
      ['example.com'],
      [
        ['example.com', -1, false],
        ['example.com', 65536, false],
        ['example.com', 80.5, false],
      ],
    )
  })

  it('matches IPv4 addresses exactly, including URL-style shorthand', () => {
    check(
      ['127.0.0.1:8080', '10.0.0.1'],
      [
        ['127.0.0.1', 8080, true],
        ['127.0.0.1', 8081, false],
        ['127.1', 8080, true],
        ['0x7f.0.0.1', 8080, true],
        ['127.0.0.2', 8080, false],
        ['10.0.0.1', 22, true],
        ['10.0.0.10', 22, false],
        ['localhost', 8080, false],
      ],
    )
  })

  it('matches IPv6 addresses with or without brackets, in any spelling', () => {
    check(
      ['[::1]:80', '[2001:db8::1]'],
      [
        ['[::1]', 80, true],
        ['::1', 80, true],
        ['0:0:0:0:0:0:0:1', 80, true],
        ['[::1]', 81, false],
        ['[::2]', 80, false],
        ['2001:DB8:0:0::1', 443, true],
        ['[2001:db8::2]', 443, false],
      ],
    )
  })

  it('canonicalises internationalised names the way a URL parser does', () => {
    check(
      ['bücher.example', '*.bücher.test'],
      [
        ['xn--bcher-kva.example', undefined, true],
        ['BÜCHER.example', undefined, true],
        ['shop.xn--bcher-kva.test', undefined, true],
        ['bucher.example', undefined, false],
      ],
    )
  })

  it('never allows strings that are not a bare host', () => {
    const network = networkOf(['example.com', '*.example.com', '[::1]'])
    for (const host of [
      '',
      'https://example.com',
      'example.com/path',
      'user@example.com',
      'evil.net@example.com',
      'example.com:443',
      'example.com:80',
      '[::1]:80',
      '[::1]:443',
      'exa mple.com',
      'example.com#x',
      'example%2ecom',
      'example.com\\evil',
    ]) {
      expect({ host, allowed: isHostAllowed(network, host) }).toEqual({ host, allowed: false })
    }
  })

  it('lets the caller pass URL.hostname so user-info tricks resolve to the real host', () => {
    const network = networkOf(['example.com'])
    const tricky = new URL('https://example.com@evil.net/')
    expect(isHostAllowed(network, tricky.hostname, 443)).toBe(false)
    const honest = new URL('https://user:pw@example.com/')
    expect(isHostAllowed(network, honest.hostname, 443)).toBe(true)
  })

  it('does not let wildcard entries match IP addresses', () => {
    expect(() => networkOf(['*.1'])).toThrow(/wildcard on an IP address/)
    check(
      ['*.com', '*.example'],
      [
        ['1.2.3.4', undefined, false],
        ['[::1]', undefined, false],
        ['a.com', undefined, true],
      ],
    )
  })
})
