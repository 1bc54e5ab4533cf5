/**
 * Serves the test MCP Apps host (test/setup/views-host-page.ts, bundled here with esbuild) on a
 * free loopback port: a page with a chat column the views are mounted in. The page talks to the
 * Worker itself (a loopback page may call a loopback Worker: src/guard.ts).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import * as esbuild from 'esbuild'
import { ROOT } from '../../scripts/torc-paths.ts'

export interface RunningHost {
  url: string
  stop(): Promise<void>
}

const PAGE = (script: string) =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>torc-edge views: test host</title>' +
  '<style>html{background:#fff;color:#1f1e1d;font:14px system-ui,sans-serif}' +
  'html[data-theme=dark]{background:#262624;color:#f0efe9}body{margin:0;padding:16px}#chat{max-width:100%}#chat ' +
  'iframe{display:block;width:100%;height:200px;border:1px solid #8884;border-radius:8px}</style>' +
  `</head><body><div id="chat"></div><script>${script}</script></body></html>`

export async function startViewsHost(): Promise<RunningHost> {
  const built = await esbuild.build({
    entryPoints: [join(ROOT, 'test', 'setup', 'views-host-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  })
  const html = PAGE(built.outputFiles[0]!.text.replace(/<\/script/gi, '<\\/script'))
  const server: Server = createServer((req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html)
    } else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return { url, stop: () => new Promise((resolve) => server.close(() => resolve())) }
}
