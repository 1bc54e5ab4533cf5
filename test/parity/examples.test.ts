import { describe, expect, it } from 'vitest'
import { expandSpec, parseSpec, planExecution, validateSpec } from '../../src/workflow-spec/index.ts'
import { examples, needCli, needCrate, readFromCrate, sorted, torcJson } from './torc.ts'

/**
 * Counts of every example shipped in torc 1.0.0, as the real `torc create --dry-run` and
 * `torc workflows execution-plan` report them. torc-spec-model.md §8 describes 0.1x; 1.0.0 differs:
 * - the parameterised aggregators were fixed, so the six "✖ dup×N" files now validate, and their
 *   plans have one event per aggregator (data_pipeline 14 → 25, failure_handler_simulation 2 → 10,
 *   hyperparameter sweeps 3 → 20, simulation_sweep 19 → 34 events);
 * - the heterogeneous-scheduler warning is gone (1.0.0 emits no warnings), and
 *   `has_schedule_nodes_action` also counts on_jobs_ready/on_jobs_complete actions
 *   (workflow_actions_ml_training → true);
 * - regex fan-in now counts in plans; new examples exist (variables, parameter tables, labels, ...).
 * Columns: jobs before → after, files before → after, user_data, resource_requirements,
 * slurm_schedulers, actions, has_schedule_nodes_action, events (1.0.0), events with KDL aliases.
 */
type Row = [string, number, number, number, number, number, number, number, number, boolean, number, number?]
const TABLE: Row[] = [
  ['json/data_pipeline_parameterized.json5', 5, 36, 3, 20, 0, 3, 0, 0, false, 25],
  ['json/diamond_workflow.json5', 4, 4, 6, 6, 0, 0, 0, 0, false, 3],
  ['json/failure_handler_simulation.json', 2, 18, 0, 0, 0, 0, 0, 0, false, 10],
  ['json/hundred_jobs_parameterized.json5', 1, 100, 0, 0, 0, 1, 0, 0, false, 1],
  ['json/hundred_jobs_workflow.json5', 100, 100, 0, 0, 0, 1, 0, 0, false, 1],
  ['json/hyperparameter_sweep.json5', 4, 38, 4, 38, 0, 3, 0, 0, false, 20],
  ['json/hyperparameter_sweep_shared_params.json5', 4, 38, 4, 38, 0, 3, 0, 0, false, 20],
  ['json/multi_stage_barrier_pattern.json5', 7, 2104, 0, 0, 0, 3, 0, 0, false, 7],
  ['json/resource_monitoring_demo.json5', 3, 3, 0, 0, 0, 1, 0, 0, false, 1],
  ['json/sample_workflow.json', 3, 3, 5, 5, 3, 2, 2, 0, false, 3],
  ['json/sample_workflow.json5', 3, 3, 5, 5, 3, 2, 2, 0, false, 3],
  ['json/simulation_sweep.json5', 4, 49, 4, 49, 0, 3, 0, 0, false, 34],
  ['json/slurm_staged_pipeline.json5', 12, 12, 21, 21, 0, 3, 3, 0, false, 3],
  ['json/variables_demo.json', 3, 6, 1, 1, 0, 2, 2, 0, false, 3],
  ['json/variables_demo.json5', 3, 6, 1, 1, 0, 2, 2, 0, false, 3],
  ['json/workflow_actions_data_pipeline.json5', 5, 14, 0, 0, 0, 3, 0, 5, false, 11],
  ['json/workflow_actions_ml_training.json5', 3, 10, 0, 0, 0, 3, 1, 4, true, 3],
  ['json/workflow_actions_simple.json5', 3, 3, 0, 0, 0, 0, 0, 2, false, 3],
  ['json/workflow_actions_simple_slurm.json5', 3, 3, 0, 0, 0, 2, 3, 3, true, 3],
  ['json/zip_parameter_mode.json5', 2, 6, 1, 3, 0, 0, 0, 0, false, 4],
  ['yaml/chained_allocations.yaml', 4, 4, 0, 0, 0, 1, 1, 1, true, 4],
  ['yaml/data_pipeline_parameterized.yaml', 5, 36, 3, 20, 0, 3, 0, 0, false, 25],
  ['yaml/diamond_workflow.yaml', 4, 4, 6, 6, 0, 0, 0, 0, false, 3],
  ['yaml/direct_mode_checkpointing.yaml', 3, 5, 3, 5, 0, 2, 0, 0, false, 3],
  ['yaml/dynamic_orchestrator_local.yaml', 2, 2, 0, 0, 0, 3, 0, 0, false, 1],
  ['yaml/dynamic_orchestrator_slurm.yaml', 2, 2, 0, 0, 0, 3, 1, 0, false, 1],
  ['yaml/failure_handler_demo.yaml', 4, 4, 0, 0, 0, 0, 0, 0, false, 3],
  ['yaml/failure_handler_simulation.yaml', 2, 18, 0, 0, 0, 0, 0, 0, false, 10],
  ['yaml/fan_in_with_regexes.yaml', 4, 30, 4, 30, 0, 2, 0, 0, false, 7],
  ['yaml/hundred_jobs_parameterized.yaml', 1, 100, 0, 0, 0, 1, 0, 0, false, 1],
  ['yaml/hyperparameter_sweep.yaml', 4, 38, 4, 38, 0, 3, 0, 0, false, 20],
  ['yaml/hyperparameter_sweep_shared_params.yaml', 4, 38, 4, 38, 0, 3, 0, 0, false, 20],
  ['yaml/labeled_jobs.yaml', 3, 6, 0, 0, 0, 1, 0, 0, false, 3],
  ['yaml/multi_node_slurm.yaml', 4, 7, 4, 10, 0, 3, 3, 3, true, 4],
  ['yaml/multi_stage_barrier_pattern.yaml', 7, 2104, 0, 0, 0, 3, 0, 0, false, 7],
  ['yaml/parameterized_from_csv.yaml', 1, 4, 1, 4, 0, 1, 0, 0, false, 1],
  ['yaml/parameterized_from_json.yaml', 1, 4, 0, 0, 0, 1, 0, 0, false, 1],
  ['yaml/parameterized_shared_table.yaml', 3, 9, 1, 4, 0, 1, 0, 0, false, 6],
  ['yaml/parameterized_user_data.yaml', 1, 3, 0, 0, 3, 1, 0, 0, false, 1],
  ['yaml/priority_workflow.yaml', 5, 5, 0, 0, 0, 2, 0, 0, false, 3],
  ['yaml/resource_monitoring_demo.yaml', 3, 3, 0, 0, 0, 3, 0, 0, false, 1],
  ['yaml/ro_crate_provenance.yaml', 5, 5, 5, 5, 0, 1, 0, 0, false, 3],
  ['yaml/sample_workflow.yaml', 3, 3, 5, 5, 3, 2, 2, 0, false, 3],
  ['yaml/simple_retry.yaml', 2, 2, 0, 0, 0, 0, 0, 0, false, 2],
  ['yaml/simulation_sweep.yaml', 4, 49, 4, 49, 0, 3, 0, 0, false, 34],
  ['yaml/single_allocation_mpi_stages.yaml', 4, 302, 4, 302, 0, 3, 1, 1, true, 4],
  ['yaml/slurm_staged_pipeline.yaml', 12, 12, 21, 21, 0, 3, 3, 0, false, 3],
  ['yaml/stdio_configuration.yaml', 4, 4, 0, 0, 0, 1, 0, 0, false, 4],
  ['yaml/variables_demo.yaml', 3, 6, 1, 1, 0, 2, 2, 0, false, 3],
  ['yaml/workflow_actions_data_pipeline.yaml', 5, 14, 0, 0, 0, 3, 0, 5, false, 11],
  ['yaml/workflow_actions_ml_training.yaml', 3, 10, 0, 0, 0, 3, 1, 4, true, 3],
  ['yaml/workflow_actions_multi_class_slurm.yaml', 4, 31, 0, 0, 0, 3, 4, 4, true, 2],
  ['yaml/workflow_actions_simple.yaml', 3, 3, 0, 0, 0, 0, 0, 2, false, 3],
  ['yaml/workflow_actions_simple_slurm.yaml', 5, 5, 0, 0, 0, 2, 3, 3, true, 3],
  ['yaml/zip_parameter_mode.yaml', 4, 8, 2, 6, 0, 0, 0, 0, false, 6],
  ['kdl/diamond_workflow.kdl', 4, 4, 6, 6, 0, 0, 0, 0, false, 3],
  ['kdl/failure_handler_simulation.kdl', 2, 18, 0, 0, 0, 0, 0, 0, false, 10],
  ['kdl/hundred_jobs_parameterized.kdl', 2, 101, 0, 0, 0, 2, 0, 0, false, 2],
  ['kdl/hyperparameter_sweep.kdl', 4, 38, 4, 38, 0, 3, 0, 0, false, 20],
  ['kdl/hyperparameter_sweep_shared_params.kdl', 4, 38, 4, 38, 0, 3, 0, 0, false, 20],
  ['kdl/mixed_workload.kdl', 3, 121, 0, 0, 0, 3, 0, 0, false, 2],
  ['kdl/resource_monitoring_demo.kdl', 3, 3, 0, 0, 0, 3, 0, 0, false, 1],
  ['kdl/sample_workflow.kdl', 3, 3, 5, 5, 3, 2, 2, 0, false, 3],
  // The KDL files below write `depends_on_job` (and plural file lists), which 1.0.0 ignores; with
  // our default alias support their plans match their YAML twins (last column).
  ['kdl/simple_slurm.kdl', 3, 3, 0, 0, 0, 2, 0, 0, false, 1, 3],
  ['kdl/slurm_staged_pipeline.kdl', 5, 5, 7, 7, 0, 3, 3, 0, false, 3],
  ['kdl/variables_demo.kdl', 3, 6, 1, 1, 0, 2, 2, 0, false, 3],
  ['kdl/workflow_actions_data_pipeline.kdl', 3, 3, 0, 0, 0, 1, 1, 2, true, 1, 3],
  ['kdl/workflow_actions_ml_training.kdl', 5, 5, 0, 0, 0, 3, 1, 4, true, 1, 3],
  ['kdl/workflow_actions_simple.kdl', 3, 3, 0, 0, 0, 0, 0, 2, false, 1, 3],
  ['kdl/workflow_actions_simple_slurm.kdl', 3, 3, 0, 0, 0, 2, 3, 3, true, 1, 3],
  ['kdl/zip_parameter_mode.kdl', 2, 6, 1, 3, 0, 0, 0, 0, false, 1, 4],
  ['subgraphs/subgraphs_workflow.json5', 7, 15, 9, 17, 0, 5, 6, 6, true, 6],
  ['subgraphs/subgraphs_workflow.kdl', 7, 15, 9, 17, 0, 5, 6, 6, true, 6],
  ['subgraphs/subgraphs_workflow.yaml', 7, 15, 9, 17, 0, 5, 6, 6, true, 6],
  ['subgraphs/subgraphs_workflow_no_slurm.json5', 7, 15, 9, 17, 0, 5, 0, 0, false, 6],
  ['subgraphs/subgraphs_workflow_no_slurm.kdl', 7, 15, 9, 17, 0, 5, 0, 0, false, 6],
  ['subgraphs/subgraphs_workflow_no_slurm.yaml', 7, 15, 9, 17, 0, 5, 0, 0, false, 6],
]

const EXAMPLES = examples()
const byName = new Map(EXAMPLES.map((e) => [e.name, e]))

describe.runIf(needCrate())('torc 1.0.0 examples', () => {
  it('covers every example file shipped in the crate', () => {
    expect(sorted(EXAMPLES.map((e) => e.name))).toEqual(sorted(TABLE.map((r) => r[0])))
  })

  it.each(TABLE)('%s', (name, jb, ja, fb, fa, ud, rr, ss, act, sched, events, aliasEvents) => {
    const example = byName.get(name)
    if (example === undefined) throw new Error(`missing ${name}`)
    const options = { format: example.format, readFile: readFromCrate }
    const spec = parseSpec(example.text, example.format, options)
    expect(spec.jobs).toHaveLength(jb)
    expect(expandSpec(spec, options).jobs).toHaveLength(ja)
    const result = validateSpec(example.text, options)
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
    const s = result.summary
    expect([s.job_count_before_expansion, s.job_count, s.file_count_before_expansion, s.file_count]).toEqual([
      jb,
      ja,
      fb,
      fa,
    ])
    expect([s.user_data_count, s.resource_requirements_count, s.slurm_scheduler_count, s.action_count]).toEqual([
      ud,
      rr,
      ss,
      act,
    ])
    expect(s.has_schedule_nodes_action).toBe(sched)
    expect(new Set(s.job_names).size).toBe(ja)
    expect(planExecution(example.text, { ...options, kdlAliases: false }).total_events).toBe(events)
    expect(planExecution(example.text, options).total_events).toBe(aliasEvents ?? events)
  })
})

describe.runIf(needCli())('parity with the torc 1.0.0 CLI', () => {
  it.each(EXAMPLES.map((e) => [e.name, e] as const))(
    '%s: create --dry-run and execution-plan agree',
    async (_, example) => {
      const options = { format: example.format, readFile: readFromCrate, kdlAliases: false }
      const ours = validateSpec(example.text, options)
      const theirs = (await torcJson(['create', '--dry-run', example.path])) as typeof ours
      expect({
        ...ours,
        warnings: [],
        summary: { ...ours.summary, job_names: sorted(ours.summary.job_names) },
      }).toEqual({
        ...theirs,
        summary: { ...theirs.summary, job_names: sorted(theirs.summary.job_names) },
      })
      const plan = planExecution(example.text, options)
      const cli = (await torcJson(['workflows', 'execution-plan', example.path])) as {
        total_events: number
        total_jobs: number
        root_events: string[]
        leaf_events: string[]
        events: {
          id: string
          jobs_becoming_ready: string[]
          depends_on_events: string[]
          unlocks_events: string[]
          trigger_description: string
          scheduler_allocations: { scheduler: string; num_allocations: number; job_names: string[] }[]
        }[]
      }
      expect([plan.total_events, plan.total_jobs]).toEqual([cli.total_events, cli.total_jobs])
      expect(sorted(plan.root_events)).toEqual(sorted(cli.root_events))
      expect(sorted(plan.leaf_events)).toEqual(sorted(cli.leaf_events))
      const shape = (e: {
        id: string
        jobs_becoming_ready: string[]
        depends_on_events: string[]
        unlocks_events: string[]
        trigger_description: string
      }) => ({
        id: e.id,
        description: e.trigger_description,
        ready: sorted(e.jobs_becoming_ready),
        after: sorted(e.depends_on_events),
        unlocks: sorted(e.unlocks_events),
      })
      const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1))
      expect(byId(plan.events).map(shape)).toEqual(byId(cli.events).map(shape))
      const allocations = (
        list: { scheduler: string; num_allocations: number; jobs?: string[]; job_names?: string[] }[]
      ) => sorted(list.map((a) => `${a.scheduler}×${a.num_allocations}:${(a.jobs ?? a.job_names ?? []).join(',')}`))
      expect(byId(plan.events).map((e) => allocations(e.scheduler_allocations))).toEqual(
        byId(cli.events).map((e) => allocations(e.scheduler_allocations))
      )
    }
  )
})
