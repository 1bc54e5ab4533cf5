import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'

/**
 * Hono's SmartRouter picks the first router that takes every route. RegExpRouter matches in one
 * regex; a pattern it refuses (a `/v1/tools/:name` route beside the tool routes did) silently
 * drops every request to the TrieRouter's walk, a steady cost on every call.
 */
describe('the app router', () => {
  it("uses Hono's RegExpRouter for every route", async () => {
    const app = createApp()
    await app.fetch(new Request('http://localhost/no-such-route'), { TORC_API_URL: 'http://127.0.0.1:9/x' })
    expect((app.router as { name: string }).name).toBe('SmartRouter + RegExpRouter')
  })
})
