/**
 * torc's own recovery test workflows (tests/workflows/oom_auto_recovery_test and
 * timeout_auto_recovery_test in the crate), scaled to the Slurm test bed, in `execution_config.mode:
 * slurm` so each job is an srun step that Slurm's cgroup and time limit end.
 */
const account = 'my_account'

/** One 1 GiB allocation on the bed's debug partition, submitted when the workflow starts. */
export const slurmScheduler = (walltime: string) => `
slurm_schedulers:
  - name: debug
    partition: debug
    account: ${account}
    mem: 1g
    nodes: 1
    walltime: "${walltime}"
actions:
  - trigger_type: on_workflow_start
    action_type: schedule_nodes
    scheduler: debug
    scheduler_type: slurm
    num_allocations: 1
`

/** torc's OOM test: jobs asking 100m that hold 300 MB (torc's asks 10g and uses 30 GB); `n` jobs. */
export const oomSpec = (name: string, n: number) => `
name: ${name}
description: torc's OOM recovery test, scaled (100m requested, 300 MB used)
execution_config:
  mode: slurm
resource_requirements:
  - name: work_resources
    num_cpus: 1
    memory: 100m
    runtime: PT5M
jobs:
  - name: work_{i}
    # tail holds a stream without newlines in memory: 300 MB without an interpreter.
    command: head -c 300M /dev/zero | tail > /dev/null
    resource_requirements: work_resources
    parameters:
      i: "1:${n}"
${slurmScheduler('00:30:00')}`

/**
 * torc's timeout test in minutes (Slurm limits are whole minutes, and in mode slurm torc starts no
 * step with under 60 s usable after sigkill_headroom_seconds): a 2-minute walltime with 10 s of
 * headroom kills job_slow's step at about a minute; job_fast finishes.
 */
export const timeoutSpec = (name: string) => `
name: ${name}
description: torc's timeout recovery test, scaled to minutes
execution_config:
  mode: slurm
  sigkill_headroom_seconds: 10
resource_requirements:
  - name: job_resources
    num_cpus: 1
    memory: 100m
    runtime: PT1M
jobs:
  - name: job_fast
    command: echo fast; sleep 5; echo fast done
    resource_requirements: job_resources
  - name: job_slow
    command: echo slow; sleep 90; echo slow done
    resource_requirements: job_resources
${slurmScheduler('00:02:00')}`
