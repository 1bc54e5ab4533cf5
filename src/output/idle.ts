/** A stream that fails when its source stays silent too long (a stalled tunnel mid-bundle). */
import { siteError } from './errors.ts'

/**
 * Passes `source` through; if no chunk arrives for `idleMs` while the reader waits, the stream
 * errors with upstream_timeout and `onIdle` runs (to abort the request). Silence while the reader
 * is busy elsewhere does not count: the timer runs only inside a pending read.
 */
export function withIdleTimeout(
  source: ReadableStream<Uint8Array>,
  host: string,
  idleMs: number,
  onIdle: () => void
): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          onIdle()
          const message = `the output site went silent for ${idleMs} ms in the middle of the log bundle`
          reject(siteError('upstream_timeout', message, host))
        }, idleMs)
      })
      try {
        const { done, value } = await Promise.race([reader.read(), idle])
        if (done) controller.close()
        else controller.enqueue(value)
      } catch (err) {
        await reader.cancel(err).catch(() => undefined)
        controller.error(err)
      } finally {
        if (timer !== undefined) clearTimeout(timer)
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => undefined)
    },
  })
}
