/**
 * Starts the torc-edge site server next to Torc's output directory (Node 24 runs this .ts directly):
 *   TORC_EDGE_SITE_TOKEN=<secret, 16+ chars> node site/cli.ts --root /path/to/torc_output \
 *     [--port 8090] [--host 127.0.0.1] [--max-files N] [--max-bundle-bytes N] [--max-read-bytes N] [--help]
 * and, as the login-node agent, with allow-listed cluster actions (docs/agent.md):
 *     TORC_EDGE_AGENT_TOKEN=<another secret> ... --allow submit,sacct --torc-url <torc-server URL>
 * Binds to loopback by default; the Cloudflare Tunnel publishes it. Refuses to start without a token.
 */
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { ACTION_NAMES, ActionNameSchema } from '../src/site-protocol/actions.ts'
import { DEFAULT_MAX_CONCURRENT } from './actions/agent.ts'
import { createSiteApp, DEFAULT_LIMITS, MIN_TOKEN_LENGTH } from './app.ts'
import { close, listen } from './listen.ts'
import { stderrLog } from './log.ts'

const count = z.coerce.number().int().positive()
const Args = z.object({
  root: z.string({ message: '--root <Torc output directory> is required' }).min(1),
  port: z.coerce.number().int().min(1).max(65535),
  host: z.string().min(1),
  token: z
    .string({ message: 'set TORC_EDGE_SITE_TOKEN to the bearer token the Worker sends (TORC_OUTPUT_TOKEN)' })
    .min(MIN_TOKEN_LENGTH, `TORC_EDGE_SITE_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters`),
  'max-files': count.default(DEFAULT_LIMITS.maxFiles),
  'max-bundle-bytes': count.default(DEFAULT_LIMITS.maxBundleBytes),
  'max-read-bytes': count.default(DEFAULT_LIMITS.maxReadBytes),
  allow: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean)
    )
    .pipe(
      z.array(
        ActionNameSchema.or(
          z.string().transform((a, ctx) => {
            ctx.addIssue({
              code: 'custom',
              message: `--allow: unknown action '${a}' (actions: ${ACTION_NAMES.join(', ')})`,
            })
            return z.NEVER
          })
        )
      )
    ),
  'agent-token': z.string().optional(),
  'torc-bin': z.string().min(1).default('torc'),
  'torc-url': z
    .url({ message: '--torc-url must be an absolute URL such as http://127.0.0.1:8080/torc-service/v1' })
    .optional(),
  'poll-interval': z.coerce.number().int().min(1).max(3600).optional(),
  workdir: z.string().min(1).optional(),
  'max-concurrent-actions': count.default(DEFAULT_MAX_CONCURRENT),
  'action-timeout': z.coerce.number().int().min(1).max(3600).optional(),
  'action-output-bytes': count.optional(),
})

const USAGE =
  `Usage: node site/cli.ts --root <dir> [options]   (or: npm run site -- --root <dir> ` +
  `[options])

Serves Torc's output directory <dir>, read-only, to the torc-edge Worker (publish it with ` +
  `a tunnel).
The bearer token is read from TORC_EDGE_SITE_TOKEN (at least ${MIN_TOKEN_LENGTH} ` +
  `characters; the Worker's TORC_OUTPUT_TOKEN).

Options:
  --root <dir>              Torc's output ` +
  `directory (required)
  --port <n>                port to listen on (default 8090)
  --host <addr>     ` +
  `        address to bind (default 127.0.0.1: loopback only)
  --max-files <n>           files a ` +
  `listing or bundle holds (default ${DEFAULT_LIMITS.maxFiles})
  --max-bundle-bytes <n>    bytes a ` +
  `bundle carries (default ${DEFAULT_LIMITS.maxBundleBytes})
  --max-read-bytes <n>      bytes one file ` +
  `read returns (default ${DEFAULT_LIMITS.maxReadBytes})
  -h, --help                print this and ` +
  `exit

Cluster actions (the login-node agent; each off unless listed; see docs/agent.md):
  --allow ` +
  `<a,b,...>         enable actions: ${ACTION_NAMES.join(', ')}
                            needs ` +
  `TORC_EDGE_AGENT_TOKEN (16+ characters, not the read token; the Worker's
                            ` +
  `TORC_OUTPUT_AGENT_TOKEN)
  --torc-url <url>          torc-server's URL, passed to torc as --url ` +
  `(submit, cancel, regenerate, reconcile, run)
  --torc-bin <path>         the torc CLI (default: torc ` +
  `on PATH)
  --poll-interval <s>       job runners' poll interval passed to torc as -p (default: torc's ` +
  `own, 30 s)
  --workdir <dir>           where commands run (default: the current directory)
  ` +
  `--max-concurrent-actions <n>  actions at once; more answer 429 (default ${DEFAULT_MAX_CONCURRENT})
  ` +
  `--action-timeout <s>      kill an action's command after this long (default: per action, 3-120 s)
  ` +
  `--action-output-bytes <n> output kept per command stream; more and it is killed (default: per action)
`

/** parseArgs's errors as one line naming the culprit (its own messages end in advice for another case). */
function usageError(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code
  const quoted = /'([^']+)'/.exec(err instanceof Error ? err.message : '')?.[1] ?? '?'
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${quoted}'`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `option '${quoted}' needs a value`
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument '${quoted}'`
  return undefined
}

let values: Record<string, string | boolean | undefined>
try {
  ;({ values } = parseArgs({
    options: {
      root: { type: 'string' },
      port: { type: 'string', default: '8090' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-files': { type: 'string' },
      'max-bundle-bytes': { type: 'string' },
      'max-read-bytes': { type: 'string' },
      allow: { type: 'string' },
      'torc-bin': { type: 'string' },
      'torc-url': { type: 'string' },
      'poll-interval': { type: 'string' },
      workdir: { type: 'string' },
      'max-concurrent-actions': { type: 'string' },
      'action-timeout': { type: 'string' },
      'action-output-bytes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }))
} catch (err) {
  const message = usageError(err)
  if (!message) throw err
  process.stderr.write(`site/cli.ts: ${message}\n${USAGE}`)
  process.exit(2)
}
if (values.help) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const args = Args.safeParse({
  ...values,
  token: process.env.TORC_EDGE_SITE_TOKEN,
  'agent-token': process.env.TORC_EDGE_AGENT_TOKEN || undefined,
})
if (!args.success) {
  console.error(args.error.issues.map((i) => i.message).join('\n'))
  process.exit(2)
}
const { root, port, host, token, allow } = args.data
const agentToken = args.data['agent-token']
if (allow.length && (agentToken ?? '').length < MIN_TOKEN_LENGTH) {
  console.error(`--allow needs TORC_EDGE_AGENT_TOKEN (at least ${MIN_TOKEN_LENGTH} characters): the action token`)
  process.exit(2)
}
const seconds = args.data['action-timeout']
const bytes = args.data['action-output-bytes']
const every = <T>(value: T | undefined) =>
  value === undefined ? undefined : Object.fromEntries(ACTION_NAMES.map((a) => [a, value]))
let app: ReturnType<typeof createSiteApp>
try {
  app = createSiteApp({
    root,
    token,
    limits: {
      maxFiles: args.data['max-files'],
      maxBundleBytes: args.data['max-bundle-bytes'],
      maxReadBytes: args.data['max-read-bytes'],
    },
    agent:
      allow.length && agentToken
        ? {
            token: agentToken,
            allow,
            torcBin: args.data['torc-bin'],
            torcUrl: args.data['torc-url'],
            pollInterval: args.data['poll-interval'],
            workdir: args.data.workdir,
            maxConcurrent: args.data['max-concurrent-actions'],
            timeoutMs: every(seconds === undefined ? undefined : seconds * 1000),
            maxOutputBytes: every(bytes),
          }
        : undefined,
  })
} catch (err) {
  console.error(`cannot serve ${root}: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(2)
}
const server = await listen(app, port, host).catch((err: unknown) => {
  console.error(`cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(2)
})
stderrLog('site_listening', { root, url: `http://${host}:${port}`, actions: allow })
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void close(server, 10_000).then(() => process.exit(0)))
}
