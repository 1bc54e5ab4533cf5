/**
 * The bundle framing (media type application/x-torc-edge-bundle; the site server writes it, bundle.ts
 * reads it). Every control line is one JSON object followed by \n; file contents are raw bytes:
 *
 *   {"torc_edge_bundle":1,"workflow_id":5,"files":2,"bytes":300,"truncated":false}     preamble
 *   {"path":"job_stdio/job_wf5_j1_r1_a1.o","size":100}\n + exactly 100 bytes           one per file
 *   {"path":"job_stdio/job_wf5_j2_r1_a1.e","size":0,"error":"not readable (EACCES)"}   unreadable file
 *   {"note":"shrunk","path":"...","padded":12}                                         after a file that
 *        shrank while read: its last 12 bytes are NUL padding that keeps the framing exact
 *   {"end":true,"files":2,"bytes":300,"truncated":false,"shrunk":0,"grown":0,"unreadable":0}   trailer
 *
 * Sizes are fixed when the site lists the files, so a log still being appended to is sent as it was
 * then (`grown` counts those). `truncated` and `reason` say when a cap left files out; the files sent
 * are then a prefix of the listing. A stream that stops before the trailer is incomplete.
 */
import { z } from 'zod'

export const BUNDLE_MEDIA_TYPE = 'application/x-torc-edge-bundle'
export const BUNDLE_VERSION = 1
/** Control lines longer than this are a framing error (paths are at most 1024 characters). */
export const MAX_CONTROL_LINE = 8192

export const BundlePreambleSchema = z.object({
  torc_edge_bundle: z.literal(BUNDLE_VERSION),
  workflow_id: z.number().int(),
  files: z.number().int().min(0),
  bytes: z.number().int().min(0),
  truncated: z.boolean(),
  reason: z.string().optional(),
})
export type BundlePreamble = z.output<typeof BundlePreambleSchema>

export const FileHeaderSchema = z.object({
  path: z.string().min(1).max(1024),
  size: z.number().int().min(0),
  error: z.string().optional(),
})
export type FileHeader = z.output<typeof FileHeaderSchema>

export const BundleNoteSchema = z.object({
  note: z.literal('shrunk'),
  path: z.string(),
  padded: z.number().int().min(0),
})
export type BundleNote = z.output<typeof BundleNoteSchema>

export const BundleTrailerSchema = z.object({
  end: z.literal(true),
  files: z.number().int().min(0),
  bytes: z.number().int().min(0),
  truncated: z.boolean(),
  reason: z.string().optional(),
  shrunk: z.number().int().min(0).default(0),
  grown: z.number().int().min(0).default(0),
  unreadable: z.number().int().min(0).default(0),
})
export type BundleTrailer = z.output<typeof BundleTrailerSchema>

const encoder = new TextEncoder()

/** One control line, encoded. */
export function controlLine(
  value: BundlePreamble | FileHeader | BundleNote | z.input<typeof BundleTrailerSchema>
): Uint8Array {
  return encoder.encode(`${JSON.stringify(value)}\n`)
}
