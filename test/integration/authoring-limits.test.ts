import { describe, expect, it } from 'vitest'
import { callBoth, keys, mcpClient, rest } from '../helpers/worker-faces.ts'

/** A parameterised sweep: `jobs` work jobs and as many output files. */
const sweep = (name: string, jobs: number, files = jobs) => `
name: ${name}
resource_requirements:
  - { name: work, num_cpus: 1, memory: 1g, runtime: PT10M }
files:
  - { name: "out_{i}", path: "out/{i}.json", parameters: { i: "1:${files}" } }
jobs:
  - { name: "work_{i}", command: "work {i}", resource_requirements: work, parameters: { i: "1:${jobs}" } }
`

describe('create_workflow and get_execution_plan stay within a Worker', () => {
  it('refuse a workflow that expands past 50,000 jobs, on every action and both faces, creating nothing', async () => {
    const spec = sweep('too-big', 60_000, 10)
    for (const action of ['validate', 'save_spec_file', 'create_workflow']) {
      const res = await rest('create_workflow', { spec, format: 'yaml', action })
      expect(res.status).toBe(400)
      expect(res.body.error).toEqual({
        code: 'invalid_input',
        message:
          'spec too large: the spec expands to 60,000 jobs (limit 50,000); ' +
          'the edge handles at most 50,000 jobs and 50,000 files per ' +
          "workflow so that a request stays within a Worker's 128 MB. " +
          'Split it into smaller workflows, or create it on the cluster ' +
          'with `torc create <file>`.',
      })
    }
    const plan = await rest('get_execution_plan', { spec_or_id: spec, format: 'yaml' })
    expect(plan.body.error.message).toMatch(/^spec too large: the spec expands to 60,000 jobs \(limit 50,000\)/)
    for (const era of ['modern', 'legacy'] as const) {
      const client = await mcpClient({ era, key: keys().read })
      const result = await client.callTool({
        name: 'create_workflow',
        arguments: { spec: sweep('too-big', 10, 70_000) },
      })
      await client.close()
      expect(result.isError).toBe(true)
      expect((result.content as { text: string }[])[0]?.text).toMatch(
        /^invalid_input: spec too large: the spec expands to 70,000 files and user_data entries \(limit 50,000\)/
      )
    }
    expect((await callBoth('list_workflows', { name: 'too-big' })).total).toBe(0)
  })

  it('validate a workflow at the limit', async () => {
    const report = await callBoth('create_workflow', { spec: sweep('at-limit', 50_000), format: 'yaml' })
    expect(report).toMatchObject({ valid: true, summary: { job_count: 50_000, file_count: 50_000 } })
  })

  it('refuse YAML too long for its parser, and read the same workflow as JSON', async () => {
    const jobs = Array.from({ length: 10_000 }, (_, i) => ({ name: `job_${i}`, command: `python run.py --index ${i}` }))
    const yaml = `name: literal\njobs:\n${jobs.map((j) => `  - name: ${j.name}\n    command: ${j.command}\n`).join('')}`
    expect(yaml.length).toBeGreaterThan(512 * 1024)
    const refused = await rest('create_workflow', { spec: yaml, format: 'yaml' })
    expect(refused.status).toBe(400)
    expect(refused.body.error.message).toMatch(
      /^spec too large: the spec is [\d,]+ characters of YAML; the edge parses YAML only up to 524,288 characters/
    )
    const detected = await rest('create_workflow', { spec: yaml })
    expect(detected.body.error.message).toMatch(
      /^invalid spec: YAML not tried: the spec is [\d,]+ characters and the edge parses YAML up to 524,288 characters/
    )
    const json = await rest('create_workflow', { spec: JSON.stringify({ name: 'literal', jobs }) })
    expect(json.body).toMatchObject({ valid: true, summary: { job_count: 10_000 } })
  })
})
