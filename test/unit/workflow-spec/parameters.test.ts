import { describe, expect, it } from 'vitest'
import {
  expandSpec,
  parseSpec,
  parseSpecValue,
  SpecError,
  substituteVariables,
} from '../../../src/workflow-spec/index.ts'

const names = (value: unknown, readFile?: (path: string) => string): string[] =>
  expandSpec(parseSpecValue(value, { readFile }), { readFile }).jobs.map((j) => j.name)
const job = (name: string, parameters?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  command: `run ${name}`,
  ...(parameters ? { parameters } : {}),
  ...extra,
})
const spec = (...jobs: unknown[]) => ({ name: 'w', jobs })

describe('parameter value grammar', () => {
  it('expands inclusive integer ranges, steps and negative steps', () => {
    expect(names(spec(job('j_{i}', { i: '1:5' })))).toEqual(['j_1', 'j_2', 'j_3', 'j_4', 'j_5'])
    expect(names(spec(job('j_{i}', { i: '0:10:2' })))).toHaveLength(6)
    expect(names(spec(job('j_{i}', { i: '3:1:-1' })))).toEqual(['j_3', 'j_2', 'j_1'])
    expect(names(spec(job('j_{i}', { i: '5:1' })))).toEqual([])
  })

  it('accumulates float ranges with a 1e-10 tolerance and prints like Rust', () => {
    expect(names(spec(job('j_{lr}', { lr: '0.0:1.0:0.5' })))).toEqual(['j_0', 'j_0.5', 'j_1'])
    expect(names(spec(job('j_{x}', { x: '0:0.3:0.1' })))).toEqual(['j_0', 'j_0.1', 'j_0.2', 'j_0.30000000000000004'])
    expect(names(spec(job('j_{lr:.2f}', { lr: '0.0:0.3:0.1' })))).toEqual(['j_0.00', 'j_0.10', 'j_0.20', 'j_0.30'])
    expect(names(spec(job('j_{x}', { x: '[1e-7, 1e21]' })))).toEqual(['j_0.0000001', 'j_1000000000000000000000'])
  })

  it('parses lists, quoted strings, braces and native YAML sequences', () => {
    expect(names(spec(job('j_{s}', { s: '[\'a\', "b", c]' })))).toEqual(['j_a', 'j_b', 'j_c'])
    expect(names(spec(job('j_{i}', { i: '{1:3}' })))).toEqual(['j_1', 'j_2', 'j_3'])
    expect(names(spec(job('j_{i}', { i: [4, 5] })))).toEqual(['j_4', 'j_5'])
    expect(names(spec(job('j_{i}', { i: '[]' })))).toEqual([])
    expect(names(spec(job('j_{v}', { v: 'abc' })))).toEqual(['j_abc'])
  })

  it('reports Torc errors for bad ranges', () => {
    expect(() => names(spec(job('j_{i}', { i: '1:10:0.5' })))).toThrow("Invalid integer step in range: '0.5'")
    expect(() => names(spec(job('j_{i}', { i: '1:5:0' })))).toThrow('Step cannot be zero')
    expect(() => names(spec(job('j_{i}', { i: 'a:b' })))).toThrow("Invalid range values: 'a:b'")
    expect(() => names(spec(job('j_{i}', { i: '1:2:3:4' })))).toThrow(
      "Failed to expand job 'j_{i}': Invalid range format"
    )
  })

  it('formats with 0Nd and .Nf (ties to even, as Rust) and leaves other specs plain', () => {
    expect(names(spec(job('j_{i:03d}', { i: '[7, -5]' })))).toEqual(['j_007', 'j_-05'])
    expect(names(spec(job('j_{i:3d}', { i: '7' })))).toEqual(['j_7'])
    expect(names(spec(job('j_{x:.2f}', { x: '[0.125, 0.375, 2.5]' })))).toEqual(['j_0.12', 'j_0.38', 'j_2.50'])
    expect(names(spec(job('j_{s:03d}', { s: 'txt' })))).toEqual(['j_txt'])
  })

  it('replaces both {i} and {i:03d} in one string (torc 1.0.0; the 0.1x quirk is gone)', () => {
    const expanded = expandSpec(
      parseSpecValue(spec({ name: 'j_{i:03d}', command: 'run --id {i} --out o_{i:03d}', parameters: { i: '5' } }))
    )
    expect(expanded.jobs[0]?.command).toBe('run --id 5 --out o_005')
  })
})

describe('combination modes and shared parameters', () => {
  it('takes the product with the first key slowest', () => {
    expect(names(spec(job('j_{a}_{b}', { a: '1:2', b: "['x','y']" })))).toEqual(['j_1_x', 'j_1_y', 'j_2_x', 'j_2_y'])
  })

  it('zips equal-length lists and names both parameters when lengths differ', () => {
    expect(names(spec(job('j_{a}_{b}', { a: '1:2', b: '[x,y]' }, { parameter_mode: 'zip' })))).toEqual([
      'j_1_x',
      'j_2_y',
    ])
    expect(() => names(spec(job('j_{a}_{b}', { a: '1:2', b: '[x]' }, { parameter_mode: 'zip' })))).toThrow(
      "Parameter 'a' has 2 values, but 'b' has 1 values."
    )
    expect(names(spec(job('j_{a}_{b}', { a: '1:2', b: '[x,y]' }, { parameter_mode: 'Zip' })))).toHaveLength(4)
  })

  it('uses only the workflow parameters a job opts into, and local ones replace them', () => {
    const value = {
      name: 'w',
      parameters: { a: '1:2', b: '3:4', c: '5:6' },
      jobs: [
        { name: 'j_{a}_{b}', command: 'x', use_parameters: ['a', 'b', 'nope'] },
        { name: 'k_{a}', command: 'x', parameters: { a: '9' }, use_parameters: ['a', 'b'] },
        { name: 'plain_{a}', command: 'x' },
        { name: 'none_{a}', command: 'x', use_parameters: ['nope'] },
      ],
    }
    expect(names(value)).toEqual(['j_1_3', 'j_1_4', 'j_2_3', 'j_2_4', 'k_9', 'plain_{a}', 'none_{a}'])
  })

  it('substitutes every templated job field but not failure_handler, and expands files and user_data', () => {
    const out = expandSpec(
      parseSpecValue({
        name: 'w',
        files: [{ name: 'f_{i}', path: '/d/{i}.txt', parameters: { i: '1:2' } }],
        user_data: [{ name: 'u_{i}', data: { path: '/d/{i}', n: 1 }, parameters: { i: '1:2' } }],
        jobs: [
          {
            name: 'j_{i}',
            command: 'c {i}',
            parameters: { i: '1:2' },
            depends_on: ['p_{i}'],
            depends_on_regexes: ['^q_{i}$'],
            input_files: ['f_{i}'],
            resource_requirements: 'rr_{i}',
            failure_handler: 'fh_{i}',
            env: { K: 'v{i}' },
          },
        ],
      })
    )
    expect(out.jobs[1]).toMatchObject({
      name: 'j_2',
      command: 'c 2',
      depends_on: ['p_2'],
      depends_on_regexes: ['^q_2$'],
      input_files: ['f_2'],
      resource_requirements: 'rr_2',
      failure_handler: 'fh_{i}',
      env: { K: 'v2' },
    })
    expect(out.jobs[1]).not.toHaveProperty('parameters')
    expect(out.files?.map((f) => f.path)).toEqual(['/d/1.txt', '/d/2.txt'])
    expect(out.user_data?.map((u) => u.data)).toEqual([
      { path: '/d/1', n: 1 },
      { path: '/d/2', n: 1 },
    ])
  })

  it('rejects mixing a parameter table with inline parameters', () => {
    const bad = spec(job('j_{a}', { a: '1' }, { parameters_file: 't.csv' }))
    expect(() => names(bad)).toThrow("Job 'j_{a}': a CSV/JSON parameter table")
  })
})

describe('parameter tables and @file lists', () => {
  const files: Record<string, string> = {
    't.csv': 'model, lr\ncnn, 0.1\n"rnn, big",0.01\n\n',
    't.json': '[{"model": "cnn", "lr": 0.1}, {"model": "rnn", "lr": 1}]',
    't.jsonl': '{"model": "a"}\n\n{"model": "b"}\n',
    'list.txt': '# comment\n3\n\nfour\n',
  }
  const read = (path: string): string => {
    const text = files[path]
    if (text === undefined) throw new Error('No such file')
    return text
  }
  it('expands one job per CSV, JSON or JSON Lines row', () => {
    expect(names(spec(job('j_{model}_{lr}', undefined, { parameters_file: 't.csv' })), read)).toEqual([
      'j_cnn_0.1',
      'j_rnn, big_0.01',
    ])
    expect(names(spec(job('j_{model}_{lr}', undefined, { parameters_file: 't.json' })), read)).toEqual([
      'j_cnn_0.1',
      'j_rnn_1',
    ])
    expect(names(spec(job('j_{model}', undefined, { parameters_file: 't.jsonl' })), read)).toEqual(['j_a', 'j_b'])
    expect(names(spec(job('j_{x}', { x: '@list.txt' })), read)).toEqual(['j_3', 'j_four'])
  })

  it('shares a workflow table with use_parameters_file', () => {
    const value = {
      name: 'w',
      parameters_file: 't.jsonl',
      jobs: [job('j_{model}', undefined, { use_parameters_file: true })],
    }
    expect(names(value, read)).toEqual(['j_a', 'j_b'])
  })

  it('says that files cannot be read when no reader is given (the Worker case)', () => {
    expect(() => names(spec(job('j_{m}', undefined, { parameters_file: 't.csv' })))).toThrow(/no file access here/)
    expect(() => names(spec(job('j_{m}', undefined, { parameters_file: 'missing.csv' })), read)).toThrow(/No such file/)
  })
})

describe('workflow variables (new in 1.0.0)', () => {
  it('substitutes variables everywhere and leaves ${...} and parameters alone', () => {
    const s = parseSpec(
      'name: w\nvariables: { root: /data, acct: a1 }\njobs:\n  - name: j_{i}\n    command: cp {root}/{i} ${HOME}\n    parameters: { i: "1:2" }\n',
      'yaml'
    )
    expect(expandSpec(s).jobs.map((j) => j.command)).toEqual(['cp /data/1 ${HOME}', 'cp /data/2 ${HOME}'])
  })

  it('rejects undefined tokens, collisions and variables referencing others', () => {
    const base = { name: 'w', jobs: [{ name: 'j', command: 'echo {root}' }] }
    expect(() => parseSpecValue({ ...base, variables: { other: 'x' } })).toThrow("undefined template name '{root}'")
    expect(() => parseSpecValue({ ...base, variables: { root: '{other}', other: 'x' } })).toThrow(
      'references another variable'
    )
    expect(() => parseSpecValue({ ...base, variables: { root: 'x' }, parameters: { root: '1' } })).toThrow(
      'collide with parameter names: root'
    )
    expect(() => parseSpecValue({ ...base, variables: { 'bad-name': 'x' } })).toThrow('must be a valid identifier')
  })
})

describe('${files...} and ${user_data...} variables', () => {
  it('substitutes paths and JSON, and records inputs and outputs', () => {
    const s = parseSpecValue({
      name: 'w',
      files: [
        { name: 'in', path: '/a.csv' },
        { name: 'out', path: '/b.csv' },
      ],
      user_data: [{ name: 'cfg', data: { z: 1, a: [true] } }],
      jobs: [
        {
          name: 'j',
          command: 'run ${files.input.in} ${files.output.out} ${user_data.input.cfg} ${files.input.nope}',
          input_files: ['dropped'],
          invocation_script: 'wrap ${files.input.out}',
        },
      ],
    })
    const j = substituteVariables(s).jobs[0]
    expect(j?.command).toBe('run /a.csv /b.csv {"a":[true],"z":1} ${files.input.nope}')
    expect(j?.input_files).toEqual(['in', 'out'])
    expect(j?.output_files).toEqual(['out'])
    expect(j?.input_user_data).toEqual(['cfg'])
    expect(s.jobs[0]?.command).toContain('${files.input.in}')
  })

  it('throws SpecError objects', () => {
    expect(() => names(spec(job('j_{i}', { i: '1:0:0' })))).toThrow(SpecError)
  })
})
