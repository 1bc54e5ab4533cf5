/**
 * Memory and runtime arithmetic for diagnosis and recovery. Parsing of what Torc stores reuses the
 * spec pipeline's ports of Torc's own parsers (src/spec/units.ts); what is new here is rounding
 * UP, so a proposed value is never smaller than the arithmetic asked for.
 */
import { durationToSeconds, memoryToBytes } from '../spec/units.ts'

export const KiB = 1024
export const MiB = 1024 ** 2
export const GiB = 1024 ** 3

/**
 * Torc's report parser (reports::parse_memory_string): lenient about `gb`/`mb`, anything unknown is
 * bytes, junk is 0. Used to read configured memory the way `torc workflows check-resources` does.
 */
export function reportMemoryBytes(text: string): number {
  const s = text.trim().toLowerCase()
  const split = s.search(/[a-z]/)
  const number = Number.parseFloat((split < 0 ? s : s.slice(0, split)).trim())
  if (!Number.isFinite(number)) return 0
  const unit = split < 0 ? '' : s.slice(split)
  const factor = { k: KiB, kb: KiB, m: MiB, mb: MiB, g: GiB, gb: GiB, t: 1024 ** 4, tb: 1024 ** 4 }[unit] ?? 1
  return Math.trunc(number * factor)
}

/** Memory as torc-server accepts it, rounded UP to a whole unit: 15.1 GiB → "16g", 700.2 MiB → "701m". */
export function formatMemoryCeil(bytes: number): string {
  if (bytes >= GiB) return `${Math.ceil(bytes / GiB - 1e-9)}g`
  if (bytes >= MiB) return `${Math.ceil(bytes / MiB - 1e-9)}m`
  return `${Math.max(1, Math.ceil(bytes / KiB - 1e-9))}k`
}

/** Runtime as ISO 8601 in whole minutes, rounded UP: 394 s → "PT7M", 5400 s → "PT1H30M". */
export function formatRuntimeCeil(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60 - 1e-9))
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (h > 0 && m > 0) return `PT${h}H${m}M`
  if (h > 0) return `PT${h}H`
  return `PT${m}M`
}

/** Configured runtime in seconds, or undefined when Torc's parser would reject it. */
export function runtimeSeconds(text: string): number | undefined {
  try {
    return durationToSeconds(text)
  } catch {
    return undefined
  }
}

/** Validates memory the way torc-server will (integer plus k/m/g/t); returns bytes or an error message. */
export function checkMemory(text: string): { bytes: number } | { error: string } {
  try {
    return { bytes: memoryToBytes(text) }
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) }
  }
}
