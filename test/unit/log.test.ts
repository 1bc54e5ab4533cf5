import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mintApiKey } from '../../scripts/api-key.ts'
import { ROOT } from '../../scripts/torc-paths.ts'
import { logEvent, redact } from '../../src/log.ts'

/** The one structured log line (src/log.ts): what it writes, and that it is the only writer in src/. */
afterEach(() => vi.restoreAllMocks())

function logged(event: string, fields: Record<string, unknown>): { text: string; line: Record<string, unknown> } {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => {})
  logEvent(event, fields)
  expect(spy).toHaveBeenCalledTimes(1)
  const text = String(spy.mock.calls[0]![0])
  return { text, line: JSON.parse(text) }
}

describe('logEvent', () => {
  it('writes one JSON line, event first, fields as given', () => {
    const { text, line } = logged('tool_call', { tool: 'list_workflows', duration_ms: 4, ok: true, nested: { n: [1] } })
    expect(text.startsWith('{"event":"tool_call",')).toBe(true)
    expect(line).toEqual({ event: 'tool_call', tool: 'list_workflows', duration_ms: 4, ok: true, nested: { n: [1] } })
  })

  it('keeps no credential, whatever field it hides in', () => {
    const key = mintApiKey('k', 'write').key
    const oauthToken = `user-1:grant-2:${'Q'.repeat(32)}`
    const secrets = [
      key,
      oauthToken,
      'hunter2-pass',
      'access-secret-77',
      'b64creds',
      'query-token-9',
      'pw-in-url',
      'code-123',
    ]
    const { text, line } = logged('request_error', {
      message: `bad header Authorization: Bearer ${key} (retry with Bearer ${oauthToken})`,
      cause: new Error('Basic b64creds refused; password=hunter2-pass; CF-Access-Client-Secret: access-secret-77'),
      url: 'https://svc:pw-in-url@torc.example/torc-service/v1/jobs?token=query-token-9&limit=5',
      callback: 'https://client.example/cb?state=s1&code=code-123',
      client_secret: 'access-secret-77',
      headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' },
    })
    for (const secret of secrets) expect(text).not.toContain(secret)
    // What is not a secret stays readable.
    expect(line.url).toBe('https://[redacted]@torc.example/torc-service/v1/jobs?token=[redacted]&limit=5')
    expect(line.callback).toBe('https://client.example/cb?state=s1&code=[redacted]')
    expect(line.headers).toEqual({ Authorization: '[redacted]', Accept: 'application/json' })
    expect(line.client_secret).toBe('[redacted]')
    expect(String(line.message)).toMatch(/^bad header Authorization: Bearer \[redacted\]/)
  })

  it('bounds depth and turns Errors into their message', () => {
    let deep: Record<string, unknown> = { leaf: 1 }
    for (let i = 0; i < 10; i++) deep = { deep }
    expect(JSON.stringify(redact(deep))).toContain('[deep]')
    expect(redact(new Error('x'))).toBe('x')
  })
})

describe('src/ writes log lines only through logEvent', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : []
    })

  it('has no console.log/info/warn/error outside src/log.ts', () => {
    const offenders = files(join(ROOT, 'src'))
      .map((path) => relative(ROOT, path))
      // Generated view bundles carry third-party code that runs in the host's iframe, not here.
      .filter((path) => path !== 'src/log.ts' && !path.endsWith('.gen.ts'))
      .filter((path) => /\bconsole\.(log|info|warn|error)\(/.test(readFileSync(join(ROOT, path), 'utf8')))
    expect(offenders).toEqual([])
  })
})

describe('upstreamText on hostile text', () => {
  it('scrubs a long dotted run (text an upstream may echo) in linear time', async () => {
    const { upstreamText } = await import('../../src/errors.ts')
    const started = performance.now()
    const out = upstreamText(`${'a.'.repeat(50_000)}b:8080 and http://10.0.0.5:9000/x`)
    expect(performance.now() - started).toBeLessThan(50)
    expect(out.length).toBeLessThanOrEqual(300)
  })
})
