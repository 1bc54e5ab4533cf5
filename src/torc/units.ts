/**
 * Unit parsers shared by validation and Slurm generation, ported from torc 1.0.0
 * (time_utils.rs, memory_utils.rs, commands/slurm.rs, hpc/slurm.rs). Each keeps Torc's quirks
 * because validation messages and scheduler sizes depend on them.
 */

const RUST_INT = /^[+-]?\d+$/
const RUST_UINT = /^\+?\d+$/
const RUST_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i

/** Parses like Rust's `str::parse::<i64>()`: optional sign, digits only, no whitespace. */
export function parseRustInt(text: string): number | undefined {
  if (!RUST_INT.test(text)) return undefined
  const big = BigInt(text)
  if (big > 9223372036854775807n || big < -9223372036854775808n) return undefined
  return Number(big)
}

/** Parses like Rust's `str::parse::<u64>()`. */
export function parseRustUint(text: string): number | undefined {
  if (!RUST_UINT.test(text)) return undefined
  const value = Number(text.replace(/^\+/, ''))
  return value <= 18446744073709551615 ? value : undefined
}

/** Parses like Rust's `str::parse::<f64>()`: accepts `1e5`, `.5`, `5.`, `inf`, `nan`. */
export function parseRustFloat(text: string): number | undefined {
  if (!RUST_FLOAT.test(text)) return undefined
  const lower = text.toLowerCase().replace(/^\+/, '')
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity
  if (lower.endsWith('nan')) return Number.NaN
  return Number(lower)
}

/**
 * ISO-8601 duration to seconds, as the `iso8601` crate 0.6 parses it: a leading `P` is required,
 * integer components only (fractional seconds are truncated), no range limits, and trailing
 * garbage is ignored, so `PT1.5H` is 0 seconds. Y = 365.25 days, M (month) = 30.4375 days.
 */
export function durationToSeconds(input: string): number {
  const text = input.trim()
  if (text === '') throw new Error('Duration string cannot be empty')
  const fail = (): never => {
    throw new Error(`Invalid ISO 8601 duration format: Failed to parse duration: ${text}`)
  }
  if (!text.startsWith('P')) fail()
  const ymdhms = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d*))?S)?)?/.exec(text)
  const hasAny = ymdhms !== null && ymdhms[0].length > 1
  if (ymdhms !== null && hasAny) {
    const n = (i: number): number => {
      const digits = ymdhms[i]
      if (digits === undefined) return 0
      const value = Number(digits)
      return value > 4294967295 ? fail() : value
    }
    return n(1) * 31_557_600 + n(2) * 2_629_800 + n(3) * 86_400 + n(4) * 3600 + n(5) * 60 + n(6)
  }
  const weeks = /^P(\d+)W/.exec(text)
  if (weeks?.[1] !== undefined) return Number(weeks[1]) * 604_800
  const dt = /^P(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2})(?::?(\d{2}))?/.exec(text)
  if (dt !== null) {
    const [y, mo, d, h, mi, s] = dt.slice(1).map((v) => Number(v ?? 0)) as number[]
    const ok = mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= 31 && h! <= 24 && mi! <= 59 && s! <= 60
    if (ok) return y! * 31_557_600 + mo! * 2_629_800 + d! * 86_400 + h! * 3600 + mi! * 60 + s!
  }
  return fail()
}

/** Server-side memory syntax (memory_utils.rs): integer plus k/m/g/t (1024-based); no suffix = bytes. */
export function memoryToBytes(input: string): number {
  const text = input.trim()
  if (text === '') throw new Error('Memory string cannot be empty')
  const last = text.slice(-1)
  let multiplier = 1
  let numberPart = text
  if (/\p{L}/u.test(last)) {
    const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[last.toLowerCase()]
    if (unit === undefined) throw new Error(`Invalid memory unit: ${last}`)
    multiplier = unit
    numberPart = text.slice(0, -1)
  }
  const number = parseRustInt(numberPart)
  if (number === undefined) throw new Error(`Invalid number in memory string: ${numberPart}`)
  if (number < 0) throw new Error('Memory size cannot be negative')
  const bytes = number * multiplier
  if (bytes > 9223372036854775807) throw new Error('Memory size too large, would cause overflow')
  return bytes
}

/**
 * Scheduler-generation memory syntax (`parse_memory_mb`): `g` accepts floats, `m` integers,
 * `k` floats; no suffix means MB, and `t` is not supported. Differs from the server on purpose.
 */
export function parseMemoryMb(input: string): number {
  const text = input.trim().toLowerCase()
  if (text === '') throw new Error('Empty memory string')
  const saturate = (v: number): number => (Number.isNaN(v) || v < 0 ? 0 : Math.trunc(v))
  const suffix = text.slice(-1)
  const body = text.slice(0, -1)
  if (suffix === 'g' || suffix === 'k') {
    const num = parseRustFloat(body)
    if (num === undefined) throw new Error(`Invalid number: ${body}`)
    return saturate(suffix === 'g' ? num * 1024 : num / 1024)
  }
  if (suffix === 'm') {
    const num = parseRustUint(body)
    if (num === undefined) throw new Error(`Invalid number: ${body}`)
    return num
  }
  const num = parseRustUint(text)
  if (num === undefined) throw new Error(`Invalid memory value: ${text}`)
  return num
}

/** Seconds to Slurm walltime: `HH:MM:SS` under a day, else `D-HH:MM:SS`. */
export function secsToWalltime(secs: number): string {
  const hours = Math.floor(secs / 3600)
  const mins = Math.floor((secs % 3600) / 60)
  const s = secs % 60
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (hours >= 24) return `${Math.floor(hours / 24)}-${pad(hours % 24)}:${pad(mins)}:${pad(s)}`
  return `${pad(hours)}:${pad(mins)}:${pad(s)}`
}

/** Slurm walltime to seconds: `MM`, `MM:SS`, `HH:MM:SS` or `D-HH:MM:SS`, as Torc parses it. */
export function parseWalltimeSecs(input: string): number {
  const text = input.trim()
  const dash = text.indexOf('-')
  if (dash >= 0) {
    const daysText = text.slice(0, dash)
    const days = parseRustUint(daysText)
    if (days === undefined) throw new Error(`Invalid days: ${daysText}`)
    return days * 86_400 + parseHms(text.slice(dash + 1))
  }
  return parseHms(text)
}

function parseHms(text: string): number {
  const parts = text.split(':')
  const num = (value: string, what: string): number => {
    const n = parseRustUint(value)
    if (n === undefined) throw new Error(`Invalid ${what}: ${value}`)
    return n
  }
  if (parts.length === 1) return num(parts[0] as string, 'minutes') * 60
  if (parts.length === 2) return num(parts[0] as string, 'minutes') * 60 + num(parts[1] as string, 'seconds')
  if (parts.length === 3) {
    const [h, m, s] = parts as [string, string, string]
    return num(h, 'hours') * 3600 + num(m, 'minutes') * 60 + num(s, 'seconds')
  }
  throw new Error(`Invalid time format: ${text}`)
}

/** GPU count from a gres string such as `gpu:2` or `gpu:h100:4`; undefined when none is found. */
export function parseGresGpus(gres: string): number | undefined {
  for (const raw of gres.split(',')) {
    const parts = (raw.split('(')[0] ?? '').split(':')
    if (parts[0] !== 'gpu') continue
    const countText = parts.length === 2 ? parts[1] : parts.length === 3 ? parts[2] : undefined
    const count = countText === undefined ? 0 : (parseRustUint(countText) ?? 0)
    if (count > 0 && count <= 4294967295) return count
  }
  return undefined
}

/*
 * Memory and runtime arithmetic for diagnosis and recovery: rounding UP, so a proposed value is never
 * smaller than the arithmetic asked for, and Torc's lenient report parser.
 */

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
