/**
 * A hostile job, for the site's race tests (test/unit/site/race.test.ts, and the cluster harness's
 * /swap routes for test/integration/site-race.test.ts): a separate process that, as fast as it can,
 * flips `<root>/<dir>` between the real directory and a symlink to `outsideDir`, and each of
 * `files` (relative to the root) between a regular file and a symlink to a file outside.
 *
 * A directory cannot be renamed over a symlink (EISDIR) nor a symlink over a non-empty directory
 * (ENOTDIR), and Node has no renameat2(RENAME_EXCHANGE); so the directory flips in two renames each
 * way and its name is missing for one syscall in four. Files flip by rename-over: always present.
 * Every cycle ends with the real directory back in place, as does stop().
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'

export interface SwapTarget {
  root: string
  /** A directory directly under the root (job_stdio). */
  dir: string
  /** Where the symlinked `dir` points. */
  outsideDir: string
  /** Files under the root to flip: [relative path, absolute path of the outside file its symlink names]. */
  files?: [string, string][] | undefined
  /**
   * Milliseconds to rest with everything in place after each round of flips (default 0: flat out).
   * Some rest leaves the site windows to serve in and a CPU to the rest of the machine.
   */
  restMs?: number | undefined
}

export interface Swapper {
  pid: number
  /** Stops the flipping (the tree is as it started) and says how many flips it made. */
  stop(): Promise<{ flips: number }>
}

// Plain JavaScript: it runs with `node -e`, so it needs no loader and starts in milliseconds.
const CHILD = `
const fs = require('node:fs')
const { join, dirname, basename } = require('node:path')
const t = JSON.parse(process.argv[1])
const name = join(t.root, t.dir)
const hold = join(t.root, '.' + t.dir + '.hold')
const link = join(t.root, '.' + t.dir + '.link')
fs.rmSync(link, { force: true })
fs.symlinkSync(t.outsideDir, link)
const files = (t.files || []).map(([rel, outside]) => {
  const path = join(t.root, rel)
  const copy = join(dirname(path), '.' + basename(path) + '.copy')
  const evil = join(dirname(path), '.' + basename(path) + '.evil')
  return { path, copy, evil, outside, data: fs.readFileSync(path), mtime: fs.statSync(path).mtime }
})
let flips = 0
const rest = new Int32Array(new SharedArrayBuffer(4))
let stopping = false
process.on('message', (m) => { if (m === 'stop') stopping = true })
// Puts the real directory and files back (the child failed half-way through a flip).
function restore() {
  const at = fs.lstatSync(name, { throwIfNoEntry: false })
  if (fs.existsSync(hold) && (!at || at.isSymbolicLink())) {
    fs.rmSync(name, { force: true })
    fs.renameSync(hold, name)
  }
  for (const f of files) if (fs.lstatSync(f.path, { throwIfNoEntry: false })?.isSymbolicLink()) fs.writeFileSync(f.copy, f.data), fs.renameSync(f.copy, f.path)
  fs.rmSync(link, { force: true })
}
function burst() {
  try {
    flip()
  } catch (err) {
    restore()
    throw err
  }
}
function flip() {
  for (let i = 0; i < 100 && !stopping; i++) {
    fs.renameSync(name, hold)
    fs.renameSync(link, name)
    for (const f of files) {
      fs.rmSync(f.evil, { force: true })
      fs.symlinkSync(f.outside, f.evil)
      fs.renameSync(f.evil, f.path)
    }
    fs.renameSync(name, link)
    fs.renameSync(hold, name)
    for (const f of files) {
      fs.writeFileSync(f.copy, f.data)
      fs.utimesSync(f.copy, f.mtime, f.mtime)
      fs.renameSync(f.copy, f.path)
    }
    flips += 2
    if (t.restMs) Atomics.wait(rest, 0, 0, t.restMs)
  }
  if (!stopping) return void setImmediate(burst)
  fs.rmSync(link, { force: true })
  process.send({ flips }, () => process.exit(0))
}
process.send({ ready: true })
burst()
`

export async function startSwapper(target: SwapTarget): Promise<Swapper> {
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD, JSON.stringify(target)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const [first] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the swapper exited at once (${code})`)
    }),
  ])) as [{ ready?: boolean }]
  if (!first.ready) throw new Error('the swapper did not start')
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) throw new Error(`the swapper died early (exit ${child.exitCode})`)
      const done = once(child, 'message') as Promise<[{ flips: number }]>
      const exited = once(child, 'exit')
      child.send('stop')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      try {
        const [[result]] = await Promise.all([done, exited])
        return result
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
