import { inject } from 'vitest'
import * as seed from '../../scripts/torc-seed.ts'

export type { Outcome, WorkflowFixture } from '../../scripts/torc-seed.ts'

/** The run's real torc-server (started by test/global-setup.ts). */
export const torcApiUrl = () => inject('torcApiUrl')
export const torcApi: seed.TorcApi = (method, path, body) => seed.torcApiAt(torcApiUrl())(method, path, body)

export const createWorkflow = (options: Parameters<typeof seed.createWorkflow>[1]) =>
  seed.createWorkflow(torcApi, options)
export const drive = (...args: Parameters<typeof seed.drive> extends [unknown, ...infer R] ? R : never) =>
  seed.drive(torcApi, ...args)
export const stopRunner = (wf: seed.WorkflowFixture) => seed.stopRunner(torcApi, wf)
