import { isHostAllowed as workerIsHostAllowed } from '@codebox/policy/network-match'
import { describe, expect, it } from 'vitest'
import { isHostAllowed } from './network-policy.js'

describe('@codebox/policy/network-match', () => {
  it('is importable through the exports map and decides exactly like isHostAllowed', () => {
    const network = { allowHosts: ['*.example.com', '127.0.0.1:8080', '[::1]'] }
    const cases: [string, number | undefined][] = [
      ['a.example.com', 443],
      ['example.com', 443],
      ['127.0.0.1', 8080],
      ['127.1', 8080],
      ['127.0.0.1', 8081],
      ['::1', 5],
      ['evil-example.com', 80],
    ]
    for (const [host, port] of cases) {
      expect(workerIsHostAllowed(network, host, port), `${host}:${port}`).toBe(
        isHostAllowed(network, host, port),
      )
    }
    expect(cases.filter(([host, port]) => isHostAllowed(network, host, port)).length).toBe(4)
  })
})
