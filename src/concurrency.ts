/**
 * Maps with at most `limit` calls in flight, keeping input order: how every fan-out to Torc is
 * bounded. On the first failure no new call starts, the ones in flight are awaited, and then the
 * failure is thrown: so when a fan-out of writes fails, nothing it sent is still landing after it
 * answered (what the caller reports as done is what Torc holds).
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>
): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (next < items.length && !failure) {
      const index = next++
      try {
        out[index] = await fn(items[index]!)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure) throw failure.error
  return out
}
