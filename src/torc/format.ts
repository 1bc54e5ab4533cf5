/** Torc's report formatters, so numbers read the same as in `torc reports`. */

/** `5m 0s`, `2h 3m 4s`, or `18.0s` under a minute (torc-ops-spec.md §1.7 format_duration). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = Math.floor(seconds % 60)
  if (h > 0) return `${h}h ${m}m ${s}s`
  if (m > 0) return `${m}m ${s}s`
  return `${seconds.toFixed(1)}s`
}

/** `500.0 MB` below 1 GiB, `10.00 GB` above (binary units, as Torc prints them). */
export function formatMemoryBytes(bytes: number): string {
  const mib = bytes / 1_048_576
  return mib < 1024 ? `${mib.toFixed(1)} MB` : `${(mib / 1024).toFixed(2)} GB`
}
