import { isHostAllowed as workerIsHostAllowed } from '@codebox/policy/network-match'
import { describe, expect, it } from 'vitest'
import { isHostAllowed } from './network-policy.js'

describe('@codebox/policy/network-match', () => {
  it('is importable through the exports map and decides exactly like isHostAllowed', () => {
    const network = { allowHosts: ['*.example.com', '127.0.0.1:8080', '[::1]'] }
    // Expected answers written out: comparing the two entry points alone could not fail, as one calls the other.
    const cases: [string, number | undefined, boolean][] = [
      ['a.example.com', 443, true],
      ['example.com', 443, false],
      ['127.0.0.1', 8080, true],
      ['127.1', 8080, true],
      ['127.0.0.1', 8081, false],
      ['::1', 5, true],
      ['evil-example.com', 80, false],
    ]
    for (const [host, port, allowed] of cases) {
      expect(workerIsHostAllowed(network, host, port), `${host}:${port}`).toBe(allowed)
      expect(isHostAllowed(network, host, port), `${host}:${port}`).toBe(allowed)
    }
  })
})
