/**
 * What the create_workflow integration tests share (authoring-create.test.ts, authoring-slurm.test.ts):
 * the tutorial's first prompt as a YAML spec, named and sized per test.
 */

/** The tutorial prompt: a preprocess script, 10 work jobs that each take an index, a postprocess job. */
export const threeStage = (name: string, memory = '20g') => `
name: ${name}
description: 3-stage fan-out/fan-in
resource_requirements:
  - name: small
    num_cpus: 1
    memory: 1g
    runtime: PT10M
  - name: work
    num_cpus: 10
    memory: ${memory}
    runtime: PT1H
jobs:
  - name: preprocess
    command: bash preprocess.sh
    resource_requirements: small
  - name: work_{i}
    command: python work.py --index {i}
    resource_requirements: work
    depends_on: [preprocess]
    parameters:
      i: "1:10"
  - name: postprocess
    command: bash postprocess.sh
    resource_requirements: small
    depends_on_regexes: ["^work_\\\\d+$"]
`
