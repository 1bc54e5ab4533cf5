/**
 * Number formatting exactly as torc 1.0.0's reports print it. Rust's `{:.N}` rounds the exact
 * binary value half to even, where JavaScript's toFixed rounds ties up: 450.25 is "450.2" in
 * `torc workflows check-resources` and "450.3" from toFixed. Ties are rare in measured data but
 * common in round fixtures, and the output promises the Rust strings.
 */

/** The double as mantissa × 2^exponent, both exact. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const bits = view.getBigUint64(0)
  const biased = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & ((1n << 52n) - 1n)
  return biased === 0
    ? { mantissa: fraction, exponent: -1074 }
    : { mantissa: fraction | (1n << 52n), exponent: biased - 1075 }
}

/** `format!("{:.digits$}", x)`: exact decimal rounding, ties to even; `inf`, `-inf`, `NaN` as Rust prints them. */
export function rustFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  const negative = x < 0 || Object.is(x, -0)
  const { mantissa, exponent } = decompose(Math.abs(x))
  const scale = 10n ** BigInt(digits)
  let q: bigint
  if (exponent >= 0) {
    q = (mantissa << BigInt(exponent)) * scale
  } else {
    const numerator = mantissa * scale
    const denominator = 1n << BigInt(-exponent)
    q = numerator / denominator
    const twice = (numerator % denominator) * 2n
    if (twice > denominator || (twice === denominator && (q & 1n) === 1n)) q += 1n
  }
  const text = q.toString().padStart(digits + 1, '0')
  const body = digits > 0 ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text
  return negative ? `-${body}` : body
}

/** `27.00 GB`, `500.0 MB` (reports.rs format_memory_bytes). */
export function reportMemory(bytes: number): string {
  const mb = bytes / (1024 * 1024)
  return mb < 1024 ? `${rustFixed(mb, 1)} MB` : `${rustFixed(mb / 1024, 2)} GB`
}

/** `5m 0s`, `2h 3m 4s`, `18.0s` (reports.rs format_duration). */
export function reportDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return rustFixed(seconds, 1)
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const secs = Math.floor(seconds % 60)
  if (hours > 0) return `${hours}h ${minutes}m ${secs}s`
  if (minutes > 0) return `${minutes}m ${secs}s`
  return `${rustFixed(seconds, 1)}s`
}

/** `95.2%` */
export const percent = (x: number): string => `${rustFixed(x, 1)}%`
/** `+199.0%` */
export const over = (x: number): string => `+${rustFixed(x, 1)}%`
