import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  committedSnapshots,
  README_FILE,
  renderReadme,
  renderSnapshots,
  renderTable,
} from '../../scripts/gen-tool-surface.ts'
import { tools } from '../../src/tools/index.ts'

/** What models see is generated from the registry and committed: a change to it shows in review. */
describe('the committed tool surface', () => {
  it('test/snapshots/tools/ is tools/list as both MCP eras serve it (npm run gen)', async () => {
    const fresh = await renderSnapshots()
    const committed = committedSnapshots()
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort())
    for (const [name, text] of fresh) expect(committed.get(name), `${name} is stale: npm run gen`).toBe(text)
  })

  it("README.md's tool table lists every tool, marking the ones that change Torc", () => {
    const readme = readFileSync(README_FILE, 'utf8')
    expect(readme).toBe(renderReadme(readme))
    const table = renderTable()
    for (const tool of tools) {
      expect(table).toContain(`| \`${tool.name}\`${tool.annotations.readOnlyHint ? '' : ' ✎'} |`)
    }
  })

  it('every tool is listed the same in both eras, with all four annotations', () => {
    for (const tool of tools) {
      const file = JSON.parse(committedSnapshots().get(`${tool.name}.json`) ?? '{}')
      expect(file.eras, `${tool.name} differs between eras`).toEqual(['2026-07-28', '2025-11-25'])
      expect(Object.keys(file.tool.annotations).sort(), tool.name).toEqual(
        ['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint', 'title'].sort()
      )
    }
  })
})
