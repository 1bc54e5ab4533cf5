/**
 * The cluster's part, for tests inside workerd (which cannot touch the disk or start processes),
 * served by test/global-setup.ts on loopback:
 *   POST /logs?path=<relative>[&append=1]   write a log at Torc's path under the output directory
 *   POST /run?workflow_id=N                 run the REAL torc job runner (`torc run N`) against the
 *                                           test's torc-server, writing into the same directory;
 *                                           answers {"status": <exit code>, "log": <its last lines>}
 *   POST /cli  {"args": [...]}              run the real `torc` CLI with these arguments against the
 *                                           test's torc-server (parity tests: `-f json reports ...`);
 *                                           answers {"status", "stdout", "stderr"}
 *   POST /swap/start  {"files": {name: text}}
 *                                           a hostile job (test/setup/swapper.ts): writes `files` into a
 *                                           directory outside the output directory, then flips job_stdio
 *                                           between itself and a symlink to it, flat out, until
 *   POST /swap/stop                         which answers {"flips": N} (job_stdio is back as it was);
 *                                           /logs, /run and /cli wait meanwhile
 * Slurm cannot run here, so only the local runner is real.
 */
import { spawn } from 'node:child_process'
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { torcBin } from '../../scripts/torc-paths.ts'
import { freePort } from '../../scripts/torc-server.ts'
import { close, listen } from '../../site/listen.ts'
import { type Swapper, startSwapper } from './swapper.ts'

const RUN_TIMEOUT_MS = 120_000

/** Runs the torc CLI against `apiUrl`; keeps the last 4 MB of stdout and 20 kB of stderr. */
function torcCli(
  apiUrl: string,
  args: string[],
  cwd?: string
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(torcBin('torc'), args, {
      env: { ...process.env, TORC_API_URL: apiUrl, RUST_LOG: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => void (stdout = (stdout + chunk.toString()).slice(-4_000_000)))
    child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-20_000)))
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
    child.on('error', reject)
    child.on('exit', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

async function runTorc(
  apiUrl: string,
  outputDir: string,
  workflowId: number
): Promise<{ status: number | null; log: string }> {
  const run = await torcCli(apiUrl, ['run', String(workflowId), '--output-dir', outputDir, '--poll-interval', '0.2'])
  return { status: run.status, log: `${run.stdout.slice(-10_000)}${run.stderr}` }
}

export async function startCluster(apiUrl: string, outputDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort()
  let swap: { swapper: Swapper; outside: string; done: () => void } | undefined
  // Writes wait while a swapper runs: a job_stdio made afresh in its gaps would break its renames.
  let swapped: Promise<void> = Promise.resolve()
  // ...and a swapper starts once those in flight are done (a `torc run` writes job_stdio as it goes).
  const writing = new Set<Promise<unknown>>()
  /** The routes that run torc or write under the output directory. */
  async function write(req: Request, url: URL): Promise<Response> {
    if (url.pathname === '/run') {
      const id = Number(url.searchParams.get('workflow_id'))
      if (!Number.isInteger(id) || id <= 0) return new Response('bad workflow_id', { status: 400 })
      return Response.json(await runTorc(apiUrl, outputDir, id))
    }
    if (url.pathname === '/cli') {
      const body = (await req.json().catch(() => undefined)) as { args?: unknown } | undefined
      const args = body?.args
      if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
        return new Response('args must be strings', { status: 400 })
      return Response.json(await torcCli(apiUrl, args, outputDir))
    }
    if (url.pathname === '/logs') {
      const path = url.searchParams.get('path') ?? ''
      if (!path || path.includes('..')) return new Response('bad path', { status: 400 })
      const target = join(outputDir, path)
      await mkdir(dirname(target), { recursive: true })
      const body = new Uint8Array(await req.arrayBuffer())
      await (url.searchParams.get('append') ? appendFile(target, body) : writeFile(target, body))
      return new Response('ok')
    }
    return new Response('not found', { status: 404 })
  }
  const server = await listen(
    {
      fetch: async (req: Request) => {
        const url = new URL(req.url)
        if (req.method === 'POST' && ['/run', '/cli', '/logs'].includes(url.pathname)) {
          await swapped
          const answer = write(req, url)
          writing.add(answer)
          return answer.finally(() => writing.delete(answer))
        }
        if (req.method === 'POST' && url.pathname === '/swap/start') {
          if (swap) return new Response('a swapper is running', { status: 409 })
          const body = (await req.json().catch(() => undefined)) as { files?: unknown } | undefined
          const files = Object.entries((body?.files ?? {}) as Record<string, unknown>)
          if (!files.every(([name, text]) => name === basename(name) && typeof text === 'string'))
            return new Response('files must map plain names to text', { status: 400 })
          let done = () => {}
          swapped = new Promise((resolve) => void (done = resolve))
          await Promise.allSettled([...writing])
          const outside = await mkdtemp(join(tmpdir(), 'torc-edge-outside-'))
          try {
            for (const [name, text] of files) await writeFile(join(outside, name), text as string)
            await mkdir(join(outputDir, 'job_stdio'), { recursive: true })
            swap = {
              swapper: await startSwapper({ root: outputDir, dir: 'job_stdio', outsideDir: outside }),
              outside,
              done,
            }
          } catch (err) {
            done()
            await rm(outside, { recursive: true, force: true })
            throw err
          }
          return Response.json({ ok: true })
        }
        if (req.method === 'POST' && url.pathname === '/swap/stop') {
          if (!swap) return new Response('no swapper is running', { status: 409 })
          const { swapper, outside, done } = swap
          swap = undefined
          try {
            return Response.json(await swapper.stop())
          } finally {
            done()
            await rm(outside, { recursive: true, force: true })
          }
        }
        return new Response('not found', { status: 404 })
      },
    },
    port,
    '127.0.0.1'
  )
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await swap?.swapper.stop().catch(() => undefined)
      swap?.done()
      await close(server)
    },
  }
}
