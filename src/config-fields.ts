import { z } from 'zod'

/** A comma-separated variable as its trimmed, non-empty entries (empty when unset). */
export const commaList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)
  )
