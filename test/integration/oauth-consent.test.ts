import { auth } from '@modelcontextprotocol/client'
import { describe, expect, it } from 'vitest'
import { keys, workerFetch } from '../helpers/worker-faces.ts'
import { type Fetch, MCP_URL, submitConsent, TestClient } from '../helpers/worker-oauth.ts'

/**
 * The consent form's CSRF defence, as browsers post it (test/e2e/oauth-browser.test.ts drives a
 * real Chromium; these are the header combinations a browser can send, one by one).
 */
async function consentUrl(): Promise<URL> {
  const client = new TestClient()
  expect(await auth(client, { serverUrl: MCP_URL, fetchFn: client.fetch })).toBe('REDIRECT')
  return client.authorizationUrl!
}

/** The browser's form post with these headers in place of the helper's explicit Origin. */
const postingWith =
  (headers: Record<string, string | null>): Fetch =>
  (input, init) => {
    const request = new Request(input, init)
    if (request.method === 'POST') {
      for (const [name, value] of Object.entries(headers)) {
        if (value === null) request.headers.delete(name)
        else request.headers.set(name, value)
      }
    }
    return workerFetch(request)
  }

const approve = () => ({ decision: 'approve', api_key: keys().read })

describe('the consent page and its form post', () => {
  it('serves Referrer-Policy same-origin (header and meta): the post carries its real Origin, no Referer leaves', async () => {
    const page = await workerFetch(await consentUrl())
    expect(page.headers.get('Referrer-Policy')).toBe('same-origin')
    expect(await page.text()).toContain('<meta name="referrer" content="same-origin"/>')
  })

  it('Origin null, as a no-referrer page posts: refused unless Sec-Fetch-Site says same-origin', async () => {
    const hidden = await submitConsent(await consentUrl(), approve(), postingWith({ Origin: 'null' }))
    expect(hidden.res.status).toBe(403)
    expect(await hidden.res.text()).toContain('origin null is not allowed')
    const framed = postingWith({ Origin: 'null', 'Sec-Fetch-Site': 'cross-site' })
    expect((await submitConsent(await consentUrl(), approve(), framed)).res.status).toBe(403)
    const ours = postingWith({ Origin: 'null', 'Sec-Fetch-Site': 'same-origin' })
    expect((await submitConsent(await consentUrl(), approve(), ours)).res.status).toBe(302)
  })

  it('a browser post that Sec-Fetch-Site marks as from another site is refused, whatever its Origin', async () => {
    for (const site of ['cross-site', 'same-site', 'none']) {
      const res = (await submitConsent(await consentUrl(), approve(), postingWith({ 'Sec-Fetch-Site': site }))).res
      expect(res.status, site).toBe(403)
      expect(await res.text()).toContain('posted from another site')
    }
    const sameOrigin = postingWith({ 'Sec-Fetch-Site': 'same-origin' })
    expect((await submitConsent(await consentUrl(), approve(), sameOrigin)).res.status).toBe(302)
  })

  it('a foreign Origin is still refused, and the form still needs its browser-bound handle', async () => {
    const foreign = postingWith({ Origin: 'https://attacker.example', 'Sec-Fetch-Site': 'cross-site' })
    expect((await submitConsent(await consentUrl(), approve(), foreign)).res.status).toBe(403)
    // No consent cookie (another browser): the library refuses the handle.
    const noCookie = postingWith({ Cookie: null })
    const res = (await submitConsent(await consentUrl(), approve(), noCookie)).res
    expect(res.status).toBe(400)
  })
})
