/**
 * The cluster's part, for tests inside workerd (which cannot touch the disk or start processes),
 * served by test/global-setup.ts on loopback:
 *   POST /logs?path=<relative>[&append=1]   write a log at Torc's path under the output directory
 *   POST /run?workflow_id=N                 run the REAL torc job runner (`torc run N`) against the
 *                                           test's torc-server, writing into the same directory;
 *                                           answers {"status": <exit code>, "log": <its last lines>}
 * Slurm cannot run here, so only the local runner is real.
 */
import { serve } from '@hono/node-server'
import { spawn } from 'node:child_process'
import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { dirname, join } from 'node:path'
import { torcBin } from '../scripts/torc-paths.ts'
import { freePort } from '../scripts/torc-server.ts'

const RUN_TIMEOUT_MS = 120_000

function runTorc(apiUrl: string, outputDir: string, workflowId: number): Promise<{ status: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(torcBin('torc'), ['run', String(workflowId), '--output-dir', outputDir, '--poll-interval', '0.2'], {
      env: { ...process.env, TORC_API_URL: apiUrl, RUST_LOG: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    const keep = (chunk: Buffer) => void (log = (log + chunk.toString()).slice(-20_000))
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
    child.on('error', reject)
    child.on('exit', (status) => {
      clearTimeout(timer)
      resolve({ status, log })
    })
  })
}

export async function startCluster(apiUrl: string, outputDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort()
  const server = serve({
    port,
    hostname: '127.0.0.1',
    fetch: async (req) => {
      const url = new URL(req.url)
      if (req.method === 'POST' && url.pathname === '/run') {
        const id = Number(url.searchParams.get('workflow_id'))
        if (!Number.isInteger(id) || id <= 0) return new Response('bad workflow_id', { status: 400 })
        return Response.json(await runTorc(apiUrl, outputDir, id))
      }
      if (req.method === 'POST' && url.pathname === '/logs') {
        const path = url.searchParams.get('path') ?? ''
        if (!path || path.includes('..')) return new Response('bad path', { status: 400 })
        const target = join(outputDir, path)
        await mkdir(dirname(target), { recursive: true })
        const body = new Uint8Array(await req.arrayBuffer())
        await (url.searchParams.get('append') ? appendFile(target, body) : writeFile(target, body))
        return new Response('ok')
      }
      return new Response('not found', { status: 404 })
    },
  }) as Server
  await new Promise((resolve) => server.once('listening', resolve))
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.close(() => resolve())) }
}
