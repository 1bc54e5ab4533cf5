import { describe, expect, it } from 'vitest'
import {
  detectSpecFormat,
  formatFromFileName,
  parseSpec,
  parseSpecDetailed,
  SpecError,
  type SpecIssue,
} from '../../../src/workflow-spec/index.ts'

function issuesOf(fn: () => unknown): SpecIssue[] {
  try {
    fn()
  } catch (error) {
    if (error instanceof SpecError) return error.issues
    throw error
  }
  throw new Error('expected a SpecError')
}

const JSON_SPEC = '{\n  "name": "w",\n  "jobs": [\n    {"name": "a", "command": "echo a"}\n  ]\n}\n'
const YAML_SPEC = 'name: w\njobs:\n  - name: a\n    command: echo a\n'
const KDL_SPEC = 'name "w"\njob "a" {\n  command "echo a"\n}\n'

describe('formats', () => {
  it('parses the same spec from JSON, JSON5, YAML and KDL', () => {
    const expected = { name: 'w', jobs: [{ name: 'a', command: 'echo a' }] }
    expect(parseSpec(JSON_SPEC, 'json')).toMatchObject(expected)
    expect(parseSpec("{name: 'w', jobs: [{name: 'a', command: 'echo a',},], // c\n}", 'json5')).toMatchObject(expected)
    expect(parseSpec(YAML_SPEC, 'yaml')).toMatchObject(expected)
    expect(parseSpec(KDL_SPEC, 'kdl')).toMatchObject(expected)
  })

  it('picks formats by extension and detects extension-less text', () => {
    expect(['a.JSON', 'b.json5', 'c.yml', 'd.yaml', 'e.kdl', 'f.txt'].map(formatFromFileName)).toEqual([
      'json',
      'json5',
      'yaml',
      'yaml',
      'kdl',
      undefined,
    ])
    expect(detectSpecFormat(JSON_SPEC)).toBe('json')
    expect(detectSpecFormat('{name: "w", jobs: []}')).toBe('json5')
    expect(detectSpecFormat(YAML_SPEC)).toBe('yaml')
    // torc's file fallback would let YAML swallow this as one string; the stdin rule we use does not.
    expect(detectSpecFormat(KDL_SPEC)).toBe('kdl')
    expect(parseSpec(KDL_SPEC).jobs).toHaveLength(1)
  })

  it('keeps YAML 1.2 scalars: only true/false are booleans and 1:10 is a string', () => {
    const s = parseSpec('name: w\njobs:\n  - name: a\n    command: x\n    parameters: { i: 1:10 }\n', 'yaml')
    expect(s.jobs[0]?.parameters).toEqual({ i: '1:10' })
    expect(issuesOf(() => parseSpec('name: w\nuse_pending_failed: yes\njobs: []\n', 'yaml'))[0]?.path).toBe(
      'use_pending_failed'
    )
  })
})

describe('syntax errors carry line and column', () => {
  it('JSON', () => {
    const [issue] = issuesOf(() => parseSpec('{\n  "name": "w",\n  "jobs": [,]\n}', 'json'))
    expect(issue).toMatchObject({ line: 3, column: 12 })
    expect(issue?.message).toMatch(/^invalid JSON/)
  })

  it('JSON5', () => {
    expect(issuesOf(() => parseSpec('{name: "w",\n jobs: [}', 'json5'))[0]).toMatchObject({ line: 2, column: 9 })
  })

  it('YAML, including duplicate keys', () => {
    expect(issuesOf(() => parseSpec('name: w\njobs:\n  - name: a\n   command: [\n', 'yaml'))[0]?.line).toBeGreaterThan(
      2
    )
    expect(issuesOf(() => parseSpec('name: w\nname: v\njobs: []\n', 'yaml'))[0]).toMatchObject({ line: 2, column: 1 })
  })

  it('KDL v2 (bare true is a v1 keyword)', () => {
    const [issue] = issuesOf(() =>
      parseSpec('name "w"\njob "a" {\n  command "x"\n  supports_termination true\n}\n', 'kdl')
    )
    expect(issue?.line).toBe(4)
    expect(issue?.message).toMatch(/invalid KDL/)
  })

  it('auto mode reports the likeliest format', () => {
    expect(issuesOf(() => parseSpec('{"name": "w", "jobs": [}'))[0]?.message).toMatch(/JSON5/)
  })
})

describe('strict model', () => {
  it('names unknown fields with their path and a suggestion', () => {
    const value =
      'name: w\njobs:\n  - { name: a, command: x }\n  - { name: b, command: x }\n  - { name: c, command: x }\n  - { name: d, comand: x }\n'
    const issues = issuesOf(() => parseSpec(value, 'yaml'))
    expect(issues).toContainEqual({ path: 'jobs[3].comand', message: 'unknown field (did you mean `command`?)' })
    expect(issues).toContainEqual({ path: 'jobs[3].command', message: 'missing field' })
    expect(issuesOf(() => parseSpec('{"name": "w", "jobs": [], "jobs_sort_method": "none"}', 'json'))[0]?.path).toBe(
      'jobs_sort_method'
    )
  })

  it('requires jobs and types values strictly', () => {
    expect(issuesOf(() => parseSpec('name: w\n', 'yaml'))).toEqual([{ path: 'jobs', message: 'missing field' }])
    expect(issuesOf(() => parseSpec('name: 123\njobs: []\n', 'yaml'))[0]?.path).toBe('name')
    const rr = 'name: w\njobs: []\nresource_requirements:\n  - { name: r, num_cpus: 1.5, memory: 1g }\n'
    expect(issuesOf(() => parseSpec(rr, 'yaml'))[0]?.path).toBe('resource_requirements[0].num_cpus')
    expect(issuesOf(() => parseSpec('[1, 2]', 'json'))[0]?.message).toMatch(/expected a workflow spec mapping/)
  })

  it('treats null as absent for optional fields but not for defaulted ones', () => {
    const s = parseSpec(
      '{"name": "w", "description": null, "jobs": [{"name": "a", "command": "x", "depends_on": null}]}',
      'json'
    )
    expect(s.description).toBeUndefined()
    expect(s.jobs[0]?.depends_on).toBeUndefined()
    const bad =
      '{"name": "w", "jobs": [], "resource_requirements": [{"name": ' +
      '"r", "num_cpus": 1, "memory": "1g", "num_gpus": null}]}'
    expect(issuesOf(() => parseSpec(bad, 'json'))[0]?.path).toBe('resource_requirements[0].num_gpus')
  })

  it('fills 1.0.0 defaults', () => {
    const s = parseSpec(
      'name: w\njobs: []\nresource_requirements: [{ name: r, num_cpus: 1, memory: 1g }]\nslurm_schedulers: [{ account: a }]\nresource_monitor: { enabled: true, bogus: 1 }\n',
      'yaml'
    )
    expect(s.resource_requirements?.[0]).toMatchObject({ num_gpus: 0, num_nodes: 1, runtime: 'PT1H' })
    expect(s.slurm_schedulers?.[0]).toMatchObject({ nodes: 1, walltime: '01:00:00' })
    expect(s.resource_monitor).toEqual({
      enabled: true,
      granularity: 'summary',
      sample_interval_seconds: 10,
      flush_interval_seconds: 300,
      generate_plots: false,
    })
  })

  it('accepts st_mtime on files, as 1.0.0 does (the MCP tool description asks for it)', () => {
    const s = parseSpec(
      '{"name": "w", "jobs": [], "files": [{"name": "f", "path": "/f", "st_mtime": 1700000000.5}]}',
      'json'
    )
    expect(s.files?.[0]?.st_mtime).toBe(1700000000.5)
  })

  it('explains the removed slurm_config field', () => {
    expect(issuesOf(() => parseSpec('{"name": "w", "jobs": [], "slurm_config": {}}', 'json'))[0]?.message).toMatch(
      /execution_config/
    )
  })
})

describe('KDL mapping', () => {
  const kdl = `name "w"
parameters { i "1:3" }
job "prep" { command "p"; output_file "data" }
job "work_{i}" {
  command "w {i}"
  depends_on_job "prep"
  input_files "data" "extra"
  use_parameters "i"
  num_nodes 4
}
file "data" path="/d"
file "extra" { path "/e" }
resource_requirements "r" { num_cpus 4.0; memory "1g" }
`
  it('accepts depends_on_job and plural file lists as aliases by default', () => {
    const { spec, warnings } = parseSpecDetailed(kdl.replace('num_cpus 4.0', 'num_cpus 4'), 'kdl')
    expect(spec.jobs[1]).toMatchObject({ depends_on: ['prep'], input_files: ['data', 'extra'], use_parameters: ['i'] })
    expect(spec.files).toEqual([
      { name: 'data', path: '/d' },
      { name: 'extra', path: '/e' },
    ])
    expect(spec.resource_requirements?.[0]?.num_cpus).toBe(4)
    expect(warnings).toEqual(['KDL job "work_{i}" > num_nodes: unknown node ignored'])
  })

  it('drops a float where an integer belongs, as torc does, and says so next to the error', () => {
    expect(issuesOf(() => parseSpec(kdl, 'kdl'))).toEqual([
      { path: 'resource_requirements[0].num_cpus', message: 'missing field' },
      { path: '', message: 'KDL job "work_{i}" > num_nodes: unknown node ignored' },
      { path: '', message: 'KDL resource_requirements "r" > num_cpus: value 4.0 is not an integer and was ignored' },
    ])
  })

  it('ignores them in strict 1.0.0 mode, as torc does', () => {
    const { spec, warnings } = parseSpecDetailed(kdl.replace('num_cpus 4.0', 'num_cpus 4'), 'kdl', {
      kdlAliases: false,
    })
    expect(spec.jobs[1]?.depends_on).toBeUndefined()
    expect(spec.jobs[0]?.output_files).toEqual(['data'])
    expect(spec.jobs[1]?.input_files).toBeUndefined()
    expect(warnings).toContain('KDL job "work_{i}" > depends_on_job: unknown node ignored')
  })

  it('reports missing names and bad user_data JSON', () => {
    expect(issuesOf(() => parseSpec('name "w"\njob { command "x" }\n', 'kdl'))[0]?.message).toBe('job must have a name')
    expect(issuesOf(() => parseSpec('name "w"\nfile "f"\n', 'kdl'))[0]?.message).toBe('file must have a path property')
    expect(issuesOf(() => parseSpec('name "w"\nuser_data "u" { data "{oops" }\n', 'kdl'))[0]?.message).toMatch(
      /invalid JSON/
    )
  })
})
