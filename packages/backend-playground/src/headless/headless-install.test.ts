import { describe, expect, it } from 'vitest'
import { GraphqlGuardrailsSchema } from './graphql-guardrails-options.js'
import { headlessConstants, headlessLogEvent } from './headless-install.js'
import { HeadlessOptionsSchema } from './headless-options.js'

const guardrails = GraphqlGuardrailsSchema.parse({})

describe('headlessConstants', () => {
  it('passes the allow-list to PHP as canonical entries, never as PHP source', () => {
    const constants = headlessConstants(
      HeadlessOptionsSchema.parse({}),
      guardrails,
      { allowHosts: ['API.Example.com.', '*.example.org:8443', '[::1]:80', "x'); evil(); //"] },
      {},
    )
    expect(JSON.parse(String(constants.CODEBOX_HEADLESS)).network).toEqual({
      mode: 'hosts',
      hosts: [
        { kind: 'exact', host: 'api.example.com' },
        { kind: 'wildcard', host: 'example.org', port: 8443 },
        { kind: 'exact', host: '[::1]', port: 80 },
      ],
    })
    expect(JSON.parse(String(constants.CODEBOX_GRAPHQL_GUARDRAILS))).toEqual({
      maxDepth: 10,
      maxComplexity: 500,
      maxPageSize: 100,
      maxBodyBytes: 65536,
    })
  })

  it('re-enables WP-Cron only when the cron rule is off, and lets a user constant decide', () => {
    const on = headlessConstants(HeadlessOptionsSchema.parse({}), guardrails, 'deny', {})
    expect(on).not.toHaveProperty('DISABLE_WP_CRON')
    const off = headlessConstants(HeadlessOptionsSchema.parse({ cron: false }), guardrails, 'deny', {})
    expect(off.DISABLE_WP_CRON).toBe(false)
    const user = headlessConstants(false, guardrails, 'deny', { DISABLE_WP_CRON: true })
    expect(user.DISABLE_WP_CRON).toBe(true)
    expect(user).not.toHaveProperty('CODEBOX_HEADLESS')
  })

  it('never lets a user constant replace the configuration', () => {
    const constants = headlessConstants(HeadlessOptionsSchema.parse({}), guardrails, 'deny', {
      CODEBOX_HEADLESS: '{"outboundHttp":false}',
    })
    expect(JSON.parse(String(constants.CODEBOX_HEADLESS))).toMatchObject({
      outboundHttp: true,
      network: { mode: 'deny' },
    })
  })
})

describe('headlessLogEvent', () => {
  it('turns the pack log line into a network.blocked event and ignores other entries', () => {
    const raw = '[codebox:network.blocked] {"host":"127.0.0.1","port":8080,"via":"wordpress-http"}'
    expect(headlessLogEvent({ level: 'other', message: raw, raw })).toEqual({
      type: 'network.blocked',
      host: '127.0.0.1',
      port: 8080,
      via: 'wordpress-http',
    })
    expect(
      headlessLogEvent({ level: 'warning', message: 'Undefined index', raw: 'PHP Warning: Undefined index' }),
    ).toBe(undefined)
  })
})
