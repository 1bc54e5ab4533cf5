/** Formatting and parsing of what the tools answer: counts, bytes, minutes, Torc's memory and runtime. */

export const count = (n: number) => n.toLocaleString('en-US')

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '0%'
  const p = (part / whole) * 100
  return `${p >= 99.95 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`
}

/** Bytes in binary units: "29.90 GiB" style, two decimals above KiB. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${units[unit]}`
}

/** Minutes as "1h 2m", "3m 12s" or "45s". */
export function minutes(m: number | null | undefined): string {
  if (m === null || m === undefined) return '—'
  const total = Math.round(m * 60)
  const h = Math.floor(total / 3600)
  const min = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h) return `${h}h ${min}m`
  if (min) return `${min}m ${s}s`
  return `${s}s`
}

/** Torc memory ("10g", "512m", "2048k", "100"): bytes, or null when it is not one. */
export function memoryBytes(text: string | null | undefined): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*$/i.exec(text ?? '')
  if (!m) return null
  const power = ['', 'k', 'm', 'g', 't'].indexOf(m[2]!.toLowerCase())
  return Number(m[1]) * 1024 ** power
}

/** ISO 8601 duration ("PT30M", "P1DT2H"): minutes, or null when it is not one. */
export function durationMinutes(text: string | null | undefined): number | null {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    text ?? ''
  )
  if (!m || text === 'P' || text === 'PT') return null
  const [d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number]
  return d * 1440 + h * 60 + min + s / 60
}

/** The first number in a report value ("602.5%", "29.90 GB"). */
export const numberIn = (text: string) => Number.parseFloat(/-?\d+(\.\d+)?/.exec(text)?.[0] ?? 'NaN')

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A field name as a heading: "jobs_to_retry" -> "Jobs to retry". */
export const humanize = (key: string) => {
  const text = key.replace(/_/g, ' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}
