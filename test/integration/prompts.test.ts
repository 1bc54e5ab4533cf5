import { describe, expect, it } from 'vitest'
import { prompts } from '../../src/prompts.ts'
import { tools } from '../../src/tools/index.ts'
import { keys, mcpClient } from '../helpers/worker-faces.ts'

const available = (names: string[]) =>
  prompts.filter((p) => p.requires.every((r) => names.includes(r))).map((p) => p.name)

describe('MCP prompts for the tutorial flows', () => {
  it('lists the prompts whose tools the caller can use, on both eras', async () => {
    const all = tools.map((t) => t.name)
    const readOnly = tools.filter((t) => t.annotations.readOnlyHint || t.writes).map((t) => t.name)
    for (const era of ['modern', 'legacy'] as const) {
      const writer = await mcpClient({ era })
      expect((await writer.listPrompts()).prompts.map((p) => p.name)).toEqual(available(all))
      await writer.close()
      const reader = await mcpClient({ era, key: keys().read })
      expect((await reader.listPrompts()).prompts.map((p) => p.name)).toEqual(available(readOnly))
      await reader.close()
    }
    expect(available(all)).toContain('recover_from_oom_or_timeouts')
    expect(available(readOnly)).not.toContain('recover_from_oom_or_timeouts')
  })

  it('renders a guided, preview-first sequence naming real tools', async () => {
    const client = await mcpClient()
    const result = await client.getPrompt({
      name: 'recover_from_oom_or_timeouts',
      arguments: { workflow_id: '7', memory_multiplier: '2' },
    })
    const text = (result.messages[0]!.content as { text: string }).text
    expect(text).toContain('recover_workflow(workflow_id=7, dry_run=true, memory_multiplier=2)')
    expect(text).toContain('Would you like me to apply these recovery actions?')
    expect(text.indexOf('dry_run=true')).toBeLessThan(text.indexOf('dry_run=false'))
    for (const name of text.match(/\b[a-z]+(?:_[a-z]+)+(?=\()/g) ?? []) expect(tools.map((t) => t.name)).toContain(name)
    await expect(
      client.getPrompt({ name: 'debug_failed_workflow', arguments: { workflow_id: 'five' } })
    ).rejects.toThrow(/workflow_id/)
    await client.close()
  })
})
