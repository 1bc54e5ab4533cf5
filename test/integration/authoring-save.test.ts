import { describe, expect, it } from 'vitest'
import { type Era, keys, mcpClient, rest } from '../helpers/worker-faces.ts'

/** The tutorial's first prompt with 30 GB work jobs, as YAML. */
const YAML_SPEC = `
name: tutorial-save
description: preprocess, 10 indexed work jobs, postprocess
resource_requirements:
  - { name: small, num_cpus: 1, memory: 1g, runtime: PT10M }
  - { name: work, num_cpus: 10, memory: 30g, runtime: PT1H }
jobs:
  - { name: preprocess, command: bash preprocess.sh, resource_requirements: small }
  - name: work_{i}
    command: python work.py --index {i}
    resource_requirements: work
    depends_on: [preprocess]
    parameters: { i: "1:10" }
  - { name: postprocess, command: bash postprocess.sh, resource_requirements: small, depends_on_regexes: ["^work_\\\\d+$"] }
`

const KDL_SPEC = `
name "kdl save"
resource_requirements "work" {
    num_cpus 4
    memory "8g"
    runtime "PT30M"
}
job "job_{i:02d}" {
    command "echo {i}"
    resource_requirements "work"
    parameters {
        i "1:5"
    }
}
job "post" {
    command "echo done"
    resource_requirements "work"
    depends_on_regexes "job_\\\\d+"
}
`

const ERAS: Era[] = ['modern', 'legacy']

/**
 * save_spec_file through REST and both MCP eras with a READ-ONLY key (the action writes nothing):
 * the same structured answer everywhere, and on MCP the spec text again as an embedded resource.
 */
async function saveEverywhere(input: Record<string, unknown>): Promise<any> {
  const args = { ...input, action: 'save_spec_file' }
  const viaRest = await rest('create_workflow', args, keys().read)
  expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(200)
  const out = viaRest.body
  for (const era of ERAS) {
    const client = await mcpClient({ key: keys().read, era })
    const result = await client.callTool({ name: 'create_workflow', arguments: args })
    await client.close()
    expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false)
    expect(result.structuredContent).toEqual(out)
    expect(result.content).toEqual([
      // The text names the resource instead of repeating the spec (issue 12: once is enough).
      { type: 'text', text: expect.stringContaining(`"spec_text":"(the embedded resource ${out.spec_file.uri})"`) },
      {
        type: 'resource',
        resource: { uri: out.spec_file.uri, mimeType: out.spec_file.media_type, text: out.spec_text },
      },
    ])
  }
  return out
}

describe('create_workflow save_spec_file', () => {
  it('returns the final Slurm spec as text and as an embedded resource, to a read-only key', async () => {
    const out = await saveEverywhere({
      spec: YAML_SPEC,
      format: 'yaml',
      workflow_type: 'slurm',
      account: 'my_account',
      hpc_profile: 'kestrel',
    })
    expect(out.spec_file).toEqual({
      name: 'tutorial-save.yaml',
      format: 'yaml',
      media_type: 'application/yaml',
      uri: 'file:///tutorial-save.yaml',
      note: null,
    })
    expect(out.spec_text).toContain('account: my_account')
    expect(out.spec_text).toContain('name: short_deferred_scheduler')
    expect(out.next_steps).toContain('torc submit tutorial-save.yaml')
    // The saved file is a complete spec: it validates to the same workflow, schedulers included.
    const again = await rest('create_workflow', { spec: out.spec_text, format: 'yaml' }, keys().read)
    expect(again.body).toMatchObject({
      valid: true,
      summary: { job_count: 12, slurm_scheduler_count: 2, has_schedule_nodes_action: true },
    })
  })

  it('keeps the format the spec came in (JSON5 as JSON text), unless save_format says otherwise', async () => {
    const value = {
      name: 'fmt/test run',
      jobs: [
        { name: 'a', command: 'echo a' },
        { name: 'b', command: 'echo b', depends_on: ['a'] },
      ],
    }
    const json = await saveEverywhere({ spec: JSON.stringify(value) })
    expect(json.spec_file).toMatchObject({
      name: 'fmt_test_run.json',
      format: 'json',
      media_type: 'application/json',
      uri: 'file:///fmt_test_run.json',
    })
    expect(JSON.parse(json.spec_text)).toMatchObject(value)

    const json5 = await saveEverywhere({
      spec: "{name: 'j5', jobs: [{name: 'a', command: 'echo a'}]}",
      format: 'json5',
    })
    expect(json5.spec_file).toMatchObject({ name: 'j5.json5', format: 'json5', media_type: 'application/json5' })
    expect(JSON.parse(json5.spec_text)).toMatchObject({ name: 'j5' })

    const kdl = await saveEverywhere({ spec: KDL_SPEC })
    expect(kdl.spec_file).toMatchObject({
      name: 'kdl_save.kdl',
      format: 'kdl',
      media_type: 'application/kdl',
      note: null,
    })
    expect(kdl.spec_text).toContain('job "job_{i:02d}"')
    const reread = await rest('create_workflow', { spec: kdl.spec_text, format: 'kdl' }, keys().read)
    expect(reread.body).toMatchObject({ valid: true, warnings: [], summary: { job_count: 6 } })

    const asYaml = await saveEverywhere({ spec: KDL_SPEC, save_format: 'yaml' })
    expect(asYaml.spec_file).toMatchObject({ name: 'kdl_save.yaml', format: 'yaml' })
  })

  it('falls back to YAML, and says why, when KDL cannot hold the spec', async () => {
    const value = { name: 'prio', jobs: [{ name: 'a', command: 'echo a', priority: 5 }] }
    const out = await saveEverywhere({ spec: JSON.stringify(value), save_format: 'kdl' })
    expect(out.spec_file).toMatchObject({
      name: 'prio.yaml',
      format: 'yaml',
      note: 'written as YAML: KDL cannot express jobs[0].priority',
    })
    expect(out.spec_text).toContain('priority: 5')
  })

  it('returns no spec text (and no resource) for an invalid spec', async () => {
    const client = await mcpClient({ key: keys().read })
    const result = await client.callTool({
      name: 'create_workflow',
      arguments: {
        spec: JSON.stringify({ name: 'bad', jobs: [{ name: 'a', command: 'x', depends_on: ['a'] }] }),
        action: 'save_spec_file',
      },
    })
    await client.close()
    expect(result.structuredContent).toMatchObject({ valid: false, spec_text: null, spec_file: null })
    expect((result.content as { type: string }[]).map((c) => c.type)).toEqual(['text'])
  })
})
