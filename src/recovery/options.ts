/** recover_workflow's options as fields, shared by the tool and by watch policies that recover the same way. */
import { z } from 'zod'

/** recover_workflow's defaults (the tutorial's 1.5x memory; runtime 1.4x as torc-ops-spec.md §4 has it). */
export const DEFAULT_MEMORY_MULTIPLIER = 1.5
export const DEFAULT_RUNTIME_MULTIPLIER = 1.4

export const recoveryOptionFields = {
  memory_multiplier: z
    .number()
    .min(1)
    .max(10)
    .optional()
    .describe(
      `Memory factor for OOM jobs. Default ${DEFAULT_MEMORY_MULTIPLIER}, raised to the observed peak + 10% when ` +
        'that is more; a value given is applied as given (with a warning when below the peak).'
    ),
  runtime_multiplier: z
    .number()
    .min(1)
    .max(10)
    .optional()
    .describe(
      `Runtime factor for timed-out jobs. Default ${DEFAULT_RUNTIME_MULTIPLIER}, raised to the longest run + 10% ` +
        'when that is more; a value given is applied as given (with a warning when below it).'
    ),
  retry_unknown: z
    .boolean()
    .default(false)
    .describe('Also retry jobs whose failure cause is unknown, unchanged (default false).'),
}
