/**
 * A least-recently-used map of texts bounded by their total length, with an expiry. The docs loader
 * keeps one per isolate (the one piece of module-level state torc-edge has): what it holds is the
 * pinned release's files, identical for every caller, so sharing it across requests leaks nothing.
 */
export class TextLru {
  private readonly entries = new Map<string, { text: string; expires: number }>()
  private size = 0
  private readonly maxChars: number
  private readonly ttlMs: number

  constructor(maxChars: number, ttlMs: number) {
    this.maxChars = maxChars
    this.ttlMs = ttlMs
  }

  get(key: string, now = Date.now()): string | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    if (entry.expires <= now) {
      this.size -= entry.text.length
      return undefined
    }
    this.entries.set(key, entry) // most recently used last
    return entry.text
  }

  set(key: string, text: string, now = Date.now()): void {
    const old = this.entries.get(key)
    if (old) {
      this.entries.delete(key)
      this.size -= old.text.length
    }
    if (text.length > this.maxChars) return
    this.entries.set(key, { text, expires: now + this.ttlMs })
    this.size += text.length
    for (const [oldest, entry] of this.entries) {
      if (this.size <= this.maxChars) break
      this.entries.delete(oldest)
      this.size -= entry.text.length
    }
  }

  /** Characters held (for tests). */
  get chars(): number {
    return this.size
  }

  clear(): void {
    this.entries.clear()
    this.size = 0
  }
}
