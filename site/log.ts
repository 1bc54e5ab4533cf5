/** The site server's log: one JSON line per event on stderr. Never given the token or file contents. */
export type SiteLog = (event: string, detail: Record<string, unknown>) => void

/** Writes `{"time":…,"event":…,…}` to stderr. */
export const stderrLog: SiteLog = (event, detail) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...detail })}\n`)
}
