/**
 * Specs the real `torc run` job runner runs in tests (integration and e2e): a job holding real
 * memory for Torc's resource monitor, and a two-job workflow around it.
 */

/** `python3` holding `mib` MiB for `seconds`: a real resident-memory peak for Torc's monitor. */
export const hold = (mib: number, seconds: number) =>
  `python3 -c 'import time; x = bytearray(${mib}*1024*1024); x[::4096] = b"1" * len(x[::4096]); time.sleep(${seconds})'`

export const hogSpec = (name: string, hog: string) => `
name: ${name}
resource_monitor:
  sample_interval_seconds: 1
  jobs:
    enabled: true
    granularity: summary
resource_requirements:
  - name: hog_rr
    num_cpus: 1
    memory: 64m
    runtime: PT5M
  - name: small
    num_cpus: 1
    memory: 512m
    runtime: PT5M
jobs:
  - name: hog
    command: "${hog.replace(/"/g, '\\"')}"
    resource_requirements: hog_rr
  - name: hello
    command: "echo hello from torc"
    resource_requirements: small
`

/** A job that fails as if OOM-killed, every time. */
export const ALWAYS_137 = "python3 -c 'import sys; sys.exit(137)'"
