import type { MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { createApp } from '../app.ts'
import type { AppEnv } from '../app-env.ts'
import type { WorkerEnv } from '../config.ts'
import { ToolError, toErrorBody } from '../errors.ts'
import { conformanceFixtures } from './fixtures.ts'
import { refuseForgedState, stateSeal } from './request-state.ts'

/**
 * The conformance build (wrangler.conformance.toml, `npm run conformance`): the real Worker, served
 * without credentials (the suite cannot send any) and with the suite's fixtures added to /mcp.
 * Never deployed: src/index.ts, the production entry, imports nothing from src/conformance/.
 */
const ConformanceEnv = z.object({
  /** HMAC key for multi-round-trip requestState, minted per run by scripts/conformance.ts. */
  TORC_EDGE_CONFORMANCE_STATE_KEY: z.string().min(32),
})

/** The suite sends no credentials: every request is the full-access caller `anonymous`. */
const anonymous: MiddlewareHandler<AppEnv> = async function anonymous(c, next) {
  c.set('caller', { id: 'anonymous', scope: 'write' })
  await next()
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const parsed = ConformanceEnv.safeParse(env)
    if (!parsed.success) {
      const error = new ToolError(
        'internal',
        'conformance build misconfigured: TORC_EDGE_CONFORMANCE_STATE_KEY (>= 32 chars) is required'
      )
      return Response.json(toErrorBody(error), { status: 500 })
    }
    const seal = stateSeal(parsed.data.TORC_EDGE_CONFORMANCE_STATE_KEY)
    const refused = await refuseForgedState(request, seal)
    if (refused) return refused
    return createApp({ extendMcp: conformanceFixtures(seal), authenticate: anonymous }).fetch(request, env, ctx)
  },
} satisfies ExportedHandler<WorkerEnv>
