import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

/**
 * Four projects, named for what they hold:
 * - unit: parsers, analyzers, the site server, tool logic against a scripted Transport, generated
 *   files. Seconds, no torc build (`npm run test:unit`).
 * - parity: the same code against the real torc 1.0.0 CLI and torc-server and the crate's examples
 *   and source (`npm run test:parity`). A missing one skips locally and fails under CI
 *   (test/setup/prerequisites.ts).
 * - integration: the Worker inside workerd (miniflare) against a REAL torc-server and site server
 *   that test/setup/global-setup.ts builds (first run) and starts on free loopback ports.
 * - e2e: the whole stack from outside: wrangler dev, the MCP conformance suite and Inspector,
 *   the real torc CLI, headless Chromium, real Slurm.
 */
/** Sends `request` to `base`'s scheme and host, keeping its path: what a VPC service bound to a tunnel does. */
function retarget(request: Request, base: string): Promise<Response> {
  const url = new URL(request.url)
  const target = new URL(base)
  url.protocol = target.protocol
  url.host = target.host
  return fetch(new Request(url, request))
}

/**
 * Fault injection in front of the real torc-server for tests that stop an apply midway: a POST to
 * `http://faults/arm` with `{ method, path (a regex), nth }` makes the nth matching request after it
 * answer 500 once; everything else (and that request's retries) reaches torc-server unchanged.
 */
function faultInjector(base: () => string) {
  let armed: { method: string; path: RegExp; left: number } | null = null
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    if (url.pathname === '/arm' && request.method === 'POST') {
      const rule = (await request.json()) as { method: string; path: string; nth: number }
      armed = { method: rule.method, path: new RegExp(rule.path), left: rule.nth }
      return new Response(null, { status: 204 })
    }
    if (armed && request.method === armed.method && armed.path.test(url.pathname) && --armed.left === 0) {
      armed = null
      return Response.json({ error: { message: 'injected fault' } }, { status: 500 })
    }
    return retarget(request, base())
  }
}

/** migrations/ for miniflare's D1 (WATCHES): the watch tests apply them with applyD1Migrations. */
const watchMigrations = await readD1Migrations('./migrations')

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          // Unit files share no state worth a fresh worker each: reusing workers saves ~0.3 s per file.
          isolate: false,
        },
      },
      {
        test: {
          name: 'parity',
          include: ['test/parity/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // One real Slurm bed for the run (test/setup/slurm.ts): the slurm-*.test.ts flows share it.
          globalSetup: ['./test/setup/slurm.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './src/index.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                TORC_API_URL: inject<string>('torcApiUrl'),
                TORC_EDGE_WRITES: 'true',
                TORC_EDGE_API_KEYS: inject<string>('apiKeys'),
                TORC_EDGE_ALLOWED_HOSTS: 'edge.test',
                TORC_OUTPUT_URL: inject<string>('outputUrl'),
                TORC_OUTPUT_TOKEN: inject<string>('outputToken'),
                TORC_DOCS_URL: inject<string>('docsUrl'),
                // Watches: two destinations on the local receiver (test/e2e/watch-receiver.ts), and D1's schema.
                TORC_EDGE_WEBHOOKS: ['ops', 'team']
                  .map((n) => `${n}=${inject<string>('webhookUrl')}/hook/${n}`)
                  .join(','),
                TORC_EDGE_WEBHOOK_SECRET: 'watch-test-secret',
                WATCH_MIGRATIONS: watchMigrations,
              },
              // OAuth state, in miniflare's local KV (wrangler.toml's id is a placeholder).
              kvNamespaces: ['OAUTH_KV'],
              // Stands in for a Workers VPC service: a binding that reaches torc-server whatever host
              // the URL names (the path is kept), as a VPC service bound to the tunnel does.
              serviceBindings: {
                TORC_VPC: (request: Request) => retarget(request, inject<string>('torcApiUrl')),
                // The same for the output site server: what an OUTPUT binding (VPC service) reaches.
                OUTPUT_VPC: (request: Request) => retarget(request, inject<string>('outputUrl')),
                // Fault injection in front of the real torc-server: job creation fails, all else passes.
                TORC_FAILING_JOBS: async (request: Request) => {
                  if (request.method === 'POST' && new URL(request.url).pathname.endsWith('/bulk_jobs')) {
                    return new Response('An internal error occurred', { status: 500 })
                  }
                  return retarget(request, inject<string>('torcApiUrl'))
                },
                // Armed by a test: the nth matching request fails once (faultInjector above).
                TORC_FAULTS: faultInjector(() => inject<string>('torcApiUrl')),
              },
            },
          })),
        ],
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['./test/setup/global-setup.ts', './test/setup/docs-server.ts', './test/e2e/watch-receiver.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
})
