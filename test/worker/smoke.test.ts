import { describe, expect, it } from 'vitest'
import { callBoth } from '../helpers/worker-faces.ts'
import { createWorkflow, drive } from '../helpers/worker-torc.ts'

describe('smoke', () => {
  it('get_workflow_status through MCP and REST', async () => {
    const wf = await createWorkflow({ name: 'smoke', jobs: [{ name: 'a' }, { name: 'b', depends_on: ['a'] }] })
    await drive(wf, () => ({ status: 'completed', return_code: 0, exec_time_minutes: 0.5 }))
    const out = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(out.job_counts_by_status.completed).toBe(2)
  })
})
