import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { parse } from 'yaml'
import { ROOT } from '../../scripts/torc-paths.ts'

it('the example cloudflared config requires Access inside every ingress rule that serves something', () => {
  const config = parse(readFileSync(join(ROOT, 'deploy', 'cloudflared.yml'), 'utf8')) as {
    access?: unknown
    ingress: {
      hostname?: string
      service: string
      originRequest?: { access?: { required?: boolean; teamName?: string; audTag?: string[] } }
    }[]
  }
  expect(config.access).toBeUndefined()
  const served = config.ingress.filter((rule) => !rule.service.startsWith('http_status:'))
  expect(served.length).toBe(2)
  for (const rule of served) {
    expect(rule.hostname).toBeTruthy()
    expect(rule.service).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(rule.originRequest?.access).toMatchObject({ required: true })
    expect(rule.originRequest?.access?.audTag?.length).toBeGreaterThan(0)
  }
  expect(config.ingress.at(-1)).toEqual({ service: 'http_status:404' })
})
