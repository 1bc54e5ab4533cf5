/**
 * Starts the torc-edge site server next to Torc's output directory (Node 24 runs this .ts directly):
 *   TORC_EDGE_SITE_TOKEN=<secret, 16+ chars> node site/cli.ts --root /path/to/torc_output \
 *     [--port 8090] [--host 127.0.0.1] [--max-files N] [--max-bundle-bytes N] [--max-read-bytes N] [--help]
 * Binds to loopback by default; the Cloudflare Tunnel publishes it. Refuses to start without a token.
 */
import { parseArgs } from 'node:util'
import { z } from 'zod'
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
})

const USAGE = `Usage: node site/cli.ts --root <dir> [options]   (or: npm run site -- --root <dir> [options])

Serves Torc's output directory <dir>, read-only, to the torc-edge Worker (publish it with a tunnel).
The bearer token is read from TORC_EDGE_SITE_TOKEN (at least ${MIN_TOKEN_LENGTH} characters; the Worker's TORC_OUTPUT_TOKEN).

Options:
  --root <dir>              Torc's output directory (required)
  --port <n>                port to listen on (default 8090)
  --host <addr>             address to bind (default 127.0.0.1: loopback only)
  --max-files <n>           files a listing or bundle holds (default ${DEFAULT_LIMITS.maxFiles})
  --max-bundle-bytes <n>    bytes a bundle carries (default ${DEFAULT_LIMITS.maxBundleBytes})
  --max-read-bytes <n>      bytes one file read returns (default ${DEFAULT_LIMITS.maxReadBytes})
  -h, --help                print this and exit
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
const args = Args.safeParse({ ...values, token: process.env.TORC_EDGE_SITE_TOKEN })
if (!args.success) {
  console.error(args.error.issues.map((i) => i.message).join('\n'))
  process.exit(2)
}
const { root, port, host, token } = args.data
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
  })
} catch (err) {
  console.error(`cannot serve ${root}: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(2)
}
const server = await listen(app, port, host).catch((err: unknown) => {
  console.error(`cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(2)
})
stderrLog('site_listening', { root, url: `http://${host}:${port}` })
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void close(server, 10_000).then(() => process.exit(0)))
}
