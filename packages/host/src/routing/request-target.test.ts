import { describe, expect, it } from 'vitest'
import { classifyRequestTarget } from './request-target.js'

describe('classifyRequestTarget', () => {
  it('forwards GraphQL as /graphql with its query string', () => {
    expect(classifyRequestTarget('/graphql?query=%7Bx%7D')).toEqual({
      kind: 'graphql',
      forwardPath: '/graphql?query=%7Bx%7D',
      query: 'query=%7Bx%7D',
    })
  })

  it('forwards REST as index.php?rest_route=, so no path can reach a PHP file', () => {
    expect(classifyRequestTarget('/wp-json/wp/v2/posts?per_page=1')).toEqual({
      kind: 'rest',
      route: '/wp/v2/posts',
      forwardPath: '/index.php?rest_route=%2Fwp%2Fv2%2Fposts&per_page=1',
    })
    // WordPress's rewrite rule would map this path to wp-admin/options.php; as a REST route it is just unknown.
    expect(classifyRequestTarget('/wp-json/wp-admin/options.php')).toMatchObject({
      kind: 'rest',
      forwardPath: '/index.php?rest_route=%2Fwp-admin%2Foptions.php',
    })
  })

  it('drops query parameters that would turn a request into another endpoint', () => {
    expect(classifyRequestTarget('/graphql?rest_route=/wp/v2/settings&query=x')).toMatchObject({
      forwardPath: '/graphql?query=x',
    })
    expect(
      classifyRequestTarget('/wp-json/wp/v2/posts?graphql&rest%5Froute=/x&rest.route=/y&a=1'),
    ).toMatchObject({
      forwardPath: '/index.php?rest_route=%2Fwp%2Fv2%2Fposts&a=1',
    })
  })

  it('refuses dot segments, encoded separators, backslashes and absolute-form targets', () => {
    for (const target of [
      '/graphql/../wp-json/wp/v2/users',
      '/wp-json/./wp/v2/posts',
      '/wp-json/%2e%2e/wp-admin/',
      '/wp-json/wp%2fv2/posts',
      '/wp-json\\..\\wp-admin',
      '//a.test/graphql',
      'http://b.test/graphql',
      '*',
      '/wp-json//wp/v2/posts',
      '/graphql\u0000',
    ]) {
      expect(classifyRequestTarget(target).kind, target).toBe('bad')
    }
  })

  it('serves nothing else: wp-admin, theme pages, PHP files and feeds are not served', () => {
    for (const target of [
      '/',
      '/wp-admin/',
      '/wp-login.php',
      '/xmlrpc.php',
      '/?p=1',
      '/feed/',
      '/graphql/x',
      '/wp-jsonx',
    ]) {
      expect(classifyRequestTarget(target).kind, target).toBe('not-served')
    }
    expect(classifyRequestTarget('/_codebox/media?filename=a.png')).toEqual({ kind: 'media' })
  })
})
