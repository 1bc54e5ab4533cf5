/**
 * The output-access site server: a read-only, token-protected view of Torc's output directory for
 * the Worker, which cannot see the cluster's disk. Runs next to Torc; a tunnel publishes it.
 *
 * Routes (all GET, all need `Authorization: Bearer <TORC_EDGE_SITE_TOKEN>`; errors are
 * `{ "error": { "code", "message" } }`):
 *   /v1/health                          {"ok":true,"limits":{…}}
 *   /v1/workflows/:id/files[?all=1]     the workflow's log files (all=1: also Slurm env dumps,
 *                                       `torc remote` worker logs, resource databases), with kind,
 *                                       job/run/attempt ids, size and mtime; 404 when there are none
 *   /v1/workflows/:id/bundle            every log file in one framed stream (src/site-protocol/framing.ts)
 *   both take ?job=1,2 &run=N &kind=job_stderr,dmesg to narrow the files (site/filter.ts)
 *   /v1/stat?path=<relative>            {"path","size","mtime","torc":{kind,…}|null}
 *   /v1/files?path=<relative>           the file's bytes; HEAD too; Range bytes=a-b | a- | -n
 *   /v1/workflows/:id/journals          torc's offline-drain journals of the workflow, counted (journals.ts)
 *   /v1/info                            the root, the enabled cluster actions, warnings (actions/info.ts)
 * and, with an agent configured, POST /v1/actions/<name> behind the separate action token
 * (TORC_EDGE_AGENT_TOKEN; the read token gets 401 there): site/actions/agent.ts.
 * Caps are configurable (SiteLimits) and never silent: listings say `truncated`, bundles carry
 * `truncated` + `reason` in their preamble and trailer, reads cut at maxReadBytes answer 206 with
 * `Torc-Edge-Truncated: max-read-bytes=<n>`.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { realpathSync, statSync } from 'node:fs'
import { Readable } from 'node:stream'
import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { ACTION_NAMES } from '../src/site-protocol/actions.ts'
import { BUNDLE_MEDIA_TYPE } from '../src/site-protocol/framing.ts'
import { classifyName, DIRECTORIES, type Directory } from '../src/site-protocol/naming.ts'
import { type AgentOptions, createAgent } from './actions/agent.ts'
import { agentInfo } from './actions/info.ts'
import { bundleStream, planBundle } from './bundle.ts'
import { FilterQuerySchema, fileFilter, PositiveId } from './filter.ts'
import { listJournals } from './journals.ts'
import { listWorkflowFiles } from './listing.ts'
import { type SiteLog, stderrLog } from './log.ts'
import { confine, PathRefused, requireDescriptorChecks } from './paths.ts'
import { capRange, parseRange } from './range.ts'

export const SiteLimitsSchema = z.object({
  /** Files a listing or bundle holds. */
  maxFiles: z.number().int().positive(),
  /** Bytes a bundle carries in all. */
  maxBundleBytes: z.number().int().positive(),
  /** Bytes one /v1/files response carries. */
  maxReadBytes: z.number().int().positive(),
})
export type SiteLimits = z.output<typeof SiteLimitsSchema>

export const DEFAULT_LIMITS: SiteLimits = {
  maxFiles: 200_000,
  maxBundleBytes: 16 * 1024 ** 3,
  maxReadBytes: 64 * 1024 ** 2,
}

export interface SiteOptions {
  root: string
  token: string
  limits?: Partial<SiteLimits> | undefined
  log?: SiteLog | undefined
  /** The login-node agent's cluster actions (none without it). */
  agent?: AgentOptions | undefined
}

export const MIN_TOKEN_LENGTH = 16
type Code = 'invalid_input' | 'unauthorized' | 'forbidden' | 'not_found' | 'internal'

const fail = (c: Context, status: 400 | 401 | 403 | 404 | 416 | 500, code: Code, message: string) =>
  c.json({ error: { code, message } }, status)
const digest = (s: string) => createHash('sha256').update(s).digest()

/** Builds the site app (tests and the dev script run it in-process; site/cli.ts serves it). */
export function createSiteApp(options: SiteOptions): Hono {
  if (options.token.length < MIN_TOKEN_LENGTH)
    throw new Error(`the site token must be at least ${MIN_TOKEN_LENGTH} characters`)
  const root = realpathSync(options.root)
  if (!statSync(root).isDirectory()) throw new Error(`${options.root} is not a directory`)
  requireDescriptorChecks(root)
  const limits = SiteLimitsSchema.parse({ ...DEFAULT_LIMITS, ...options.limits })
  const log = options.log ?? stderrLog
  const expected = digest(options.token)
  const agent = options.agent && createAgent(options.agent, root, options.token)
  const app = new Hono()

  app.use('*', async function requireToken(c, next) {
    // Actions check their own token (site/actions/agent.ts): the read token never opens them.
    if (c.req.path.startsWith('/v1/actions/')) return next()
    const given = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '')?.[1]
    // Comparing digests keeps the comparison constant-time whatever the lengths.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      log('site_unauthorized', { method: c.req.method, path: c.req.path, token_given: given !== undefined })
      c.header('WWW-Authenticate', 'Bearer realm="torc-edge-site"')
      return fail(c, 401, 'unauthorized', given === undefined ? 'a bearer token is required' : 'wrong site token')
    }
    await next()
  })

  app.get('/v1/health', (c) => c.json({ ok: true, limits }))
  app.get('/v1/info', (c) => c.json(agentInfo(root, agent, options.agent?.env?.PATH ?? process.env.PATH)))

  if (agent) app.route('/', agent.routes)
  else
    app.all('/v1/actions/:name', (c) =>
      fail(
        c,
        403,
        'forbidden',
        'this site server runs no cluster actions: start it with --allow <actions> (of ' +
          `${ACTION_NAMES.join(', ')}) and TORC_EDGE_AGENT_TOKEN`
      )
    )

  app.get('/v1/workflows/:id/journals', async (c) => {
    const id = PositiveId.safeParse(c.req.param('id'))
    if (!id.success) return fail(c, 400, 'invalid_input', 'the workflow id must be a positive integer')
    const found = await listJournals(root, id.data)
    return c.json({ workflow_id: id.data, ...found })
  })

  app.get('/v1/workflows/:id/files', async (c) => {
    const id = PositiveId.safeParse(c.req.param('id'))
    if (!id.success) return fail(c, 400, 'invalid_input', 'the workflow id must be a positive integer')
    const all = ['1', 'true'].includes(c.req.query('all') ?? '')
    const filter = parseFilter(c)
    if (filter instanceof Response) return filter
    const listing = await listWorkflowFiles(root, id.data, { logsOnly: !all, limit: limits.maxFiles, log, filter })
    await listing.dirs.close()
    if (listing.files.length === 0) return noFiles(c, id.data, all ? 'files' : 'logs', filter !== undefined)
    return c.json({
      workflow_id: id.data,
      total: listing.total,
      truncated: listing.truncated,
      limit: limits.maxFiles,
      files: listing.files,
    })
  })

  app.get('/v1/workflows/:id/bundle', async (c) => {
    const id = PositiveId.safeParse(c.req.param('id'))
    if (!id.success) return fail(c, 400, 'invalid_input', 'the workflow id must be a positive integer')
    const filter = parseFilter(c)
    if (filter instanceof Response) return filter
    const listing = await listWorkflowFiles(root, id.data, { logsOnly: true, limit: limits.maxFiles, log, filter })
    if (listing.files.length === 0) {
      await listing.dirs.close()
      return noFiles(c, id.data, 'logs', filter !== undefined)
    }
    const plan = planBundle(id.data, listing.files, listing.truncated, limits.maxFiles, limits.maxBundleBytes)
    if (plan.reason) log('site_bundle_capped', { workflow_id: id.data, reason: plan.reason })
    // The stream owns the listing's open directories from here and closes them when it ends.
    return c.body(bundleStream(root, listing.dirs, plan, log), 200, {
      'Content-Type': BUNDLE_MEDIA_TYPE,
      'Cache-Control': 'no-store',
      'Torc-Edge-Truncated': plan.reason ? 'true' : 'false',
    })
  })

  /** ?job= &run= &kind= as a predicate (undefined: no filter), or the 400 naming the bad parameter. */
  function parseFilter(c: Context) {
    const query = FilterQuerySchema.safeParse({
      job: c.req.query('job'),
      run: c.req.query('run'),
      kind: c.req.query('kind'),
    })
    if (query.success) return fileFilter(query.data)
    const issue = query.error.issues[0]!
    return fail(c, 400, 'invalid_input', `${issue.path.join('.') || 'query'}: ${issue.message}`)
  }

  const noFiles = (c: Context, workflowId: number, what: string, filtered: boolean) =>
    fail(
      c,
      404,
      'not_found',
      `no ${what} for workflow ${workflowId}${filtered ? ' match the filter' : ' yet'} under the output directory`
    )

  /** Opens ?path= as a file under the root (the caller closes it), or answers the refusal / 404 itself. */
  async function resolve(c: Context) {
    const relative = c.req.query('path') ?? ''
    try {
      const file = await confine(root, relative)
      if (!file)
        return fail(c, 404, 'not_found', `no file ${JSON.stringify(relative.slice(0, 200))} in the output directory`)
      return file
    } catch (err) {
      if (!(err instanceof PathRefused)) throw err
      log('site_path_refused', { path: JSON.stringify(relative.slice(0, 200)), reason: err.message })
      return err.message.includes('outside')
        ? fail(c, 404, 'not_found', `no file ${JSON.stringify(relative.slice(0, 200))} in the output directory`)
        : fail(c, 400, 'invalid_input', `path refused: ${err.message}`)
    }
  }

  app.get('/v1/stat', async (c) => {
    const file = await resolve(c)
    if (file instanceof Response) return file
    await file.handle.close()
    const slash = file.relative.lastIndexOf('/')
    const dir = slash < 0 ? '' : file.relative.slice(0, slash)
    const torc = (DIRECTORIES as readonly string[]).includes(dir)
      ? classifyName(dir as Directory, file.relative.slice(slash + 1))
      : undefined
    return c.json({
      path: file.relative,
      size: file.size,
      mtime: new Date(file.mtimeMs).toISOString(),
      torc: torc ?? null,
    })
  })

  // Hono answers HEAD with this GET route (and drops the body); c.req.method still says HEAD.
  app.get('/v1/files', async (c) => {
    const file = await resolve(c)
    if (file instanceof Response) return file
    // Everything below reads the descriptor confine() checked, never the path again.
    const { handle, size } = file
    const headers: Record<string, string> = {
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
      'Last-Modified': new Date(file.mtimeMs).toUTCString(),
      'Cache-Control': 'no-store',
    }
    const range = size === 0 ? ({ kind: 'whole' } as const) : parseRange(c.req.header('Range'), size)
    if (range.kind === 'invalid' || range.kind === 'unsatisfiable') {
      await handle.close()
      if (range.kind === 'invalid') return fail(c, 400, 'invalid_input', range.message)
      c.header('Content-Range', `bytes */${size}`)
      return fail(c, 416, 'invalid_input', `the range is outside the file (${size} bytes)`)
    }
    const wanted = range.kind === 'range' ? range : { start: 0, end: size - 1 }
    const suffix = /^bytes=-/.test(c.req.header('Range')?.trim() ?? '')
    const { start, end, capped } = capRange(wanted.start, wanted.end, limits.maxReadBytes, suffix)
    const partial = range.kind === 'range' || capped
    if (capped) {
      headers['Torc-Edge-Truncated'] = `max-read-bytes=${limits.maxReadBytes}`
      log('site_read_capped', { path: file.relative, size, cap: limits.maxReadBytes })
    }
    if (partial) headers['Content-Range'] = `bytes ${start}-${end}/${size}`
    headers['Content-Length'] = String(size === 0 ? 0 : end - start + 1)
    const status = partial ? 206 : 200
    if (c.req.method === 'HEAD' || size === 0) {
      await handle.close()
      return c.body(null, status, headers)
    }
    const body = Readable.toWeb(handle.createReadStream({ start, end })) as ReadableStream<Uint8Array>
    return c.body(body, status, headers)
  })

  app.notFound((c) => fail(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`))
  app.onError((err, c) => {
    log('site_error', { method: c.req.method, path: c.req.path, error: err.message })
    return fail(c, 500, 'internal', 'internal error (see the site server log)')
  })
  return app
}
