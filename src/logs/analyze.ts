/** One call from a bundle stream to torc's log analysis, with progress, the site's caps and a time budget. */
import { type AnalysisResult, type AnalyzerOptions, LogAnalyzer } from './analyzer.ts'
import { readBundle } from './bundle.ts'

export interface BundleAnalysis extends AnalysisResult {
  /** Not every log was analysed: a site cap or the time budget stopped it (the reason says which). */
  truncated: boolean
  truncation_reason: string | null
  /** Files whose logs grew while the bundle was sent (analysed as they were when listed). */
  files_grown: number
}

export interface BundleAnalysisOptions extends AnalyzerOptions {
  /** Stop reading after this long and return what was found (the answer must beat client timeouts). */
  timeBudgetMs?: number
}

class BudgetReached extends Error {}

/** Analyses a site bundle (OutputClient.bundle) as it streams; memory stays flat. */
export async function analyzeBundle(
  stream: ReadableStream<Uint8Array>,
  options: BundleAnalysisOptions = {}
): Promise<BundleAnalysis> {
  const analyzer = new LogAnalyzer(options)
  const deadline = options.timeBudgetMs === undefined ? Infinity : Date.now() + options.timeBudgetMs
  const sink = {
    begin: analyzer.begin.bind(analyzer),
    beginFile: analyzer.beginFile.bind(analyzer),
    endFile: analyzer.endFile.bind(analyzer),
    note: analyzer.note.bind(analyzer),
    write(bytes: Uint8Array) {
      if (Date.now() > deadline) throw new BudgetReached()
      analyzer.write(bytes)
    },
  }
  try {
    const trailer = await readBundle(stream, sink)
    analyzer.progress()
    return {
      ...analyzer.result(),
      truncated: trailer.truncated,
      truncation_reason: trailer.reason ?? null,
      files_grown: trailer.grown,
    }
  } catch (err) {
    if (!(err instanceof BudgetReached)) throw err
    analyzer.abandonFile()
    analyzer.progress()
    const result = analyzer.result()
    const reason =
      `time budget of ${(options.timeBudgetMs! / 1000).toFixed(1)} s reached after ` +
      `${result.files_parsed} files (${result.bytes_scanned} bytes); the last one only in part`
    return { ...result, truncated: true, truncation_reason: reason, files_grown: 0 }
  }
}
