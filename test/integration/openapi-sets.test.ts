import { describe, expect, it } from 'vitest'
import { GPT_ACTION_LIMIT, OUTSIDE_DEFAULT_DOCUMENT } from '../../src/openapi.ts'
import { tools } from '../../src/tools/index.ts'
import { BASE, workerFetch } from '../helpers/worker-faces.ts'

const paths = async (query = '') => {
  const res = await workerFetch(`${BASE}/openapi.json${query}`)
  return {
    status: res.status,
    body: (await res.json()) as { paths?: Record<string, unknown>; error?: { message: string } },
  }
}
const toolPaths = (doc: { paths?: Record<string, unknown> }) =>
  Object.keys(doc.paths ?? {})
    .filter((p) => p.startsWith('/v1/tools/'))
    .map((p) => p.slice('/v1/tools/'.length))

describe('/openapi.json: the default set fits GPT Actions, any other set on request', () => {
  it('serves at most 30 operations by default, leaving out only the documented few', async () => {
    const { body } = await paths()
    const listed = toolPaths(body)
    expect(listed.length).toBeLessThanOrEqual(GPT_ACTION_LIMIT)
    expect(
      tools
        .map((t) => t.name)
        .filter((n) => !listed.includes(n))
        .sort()
    ).toEqual([...OUTSIDE_DEFAULT_DOCUMENT].sort())
  })

  it('?tools=all lists every tool, ?tools=a,b exactly those, an unknown name is a 400 naming it', async () => {
    expect(toolPaths((await paths('?tools=all')).body).sort()).toEqual(tools.map((t) => t.name).sort())
    expect(toolPaths((await paths('?tools=get_docs,list_workflows')).body).sort()).toEqual([
      'get_docs',
      'list_workflows',
    ])
    const bad = await paths('?tools=list_workflows,rm_rf')
    expect(bad.status).toBe(400)
    expect(bad.body.error?.message).toContain('tools: no tool named rm_rf')
  })
})
