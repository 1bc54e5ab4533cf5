import type { Config, WorkerEnv } from './config.ts'
import type { Caller } from './registry.ts'

/** Hono's view of the Worker: bindings plus what middleware sets per request. */
export interface AppEnv {
  Bindings: WorkerEnv
  Variables: { config: Config; caller: Caller }
}
