/** The output site's failures in the one taxonomy (src/errors.ts), worded for the user. */
import { type ErrorCode, ToolError, upstreamText } from '../errors.ts'
import { SiteErrorSchema } from '../site-protocol/schemas.ts'

export const missingLogsMessage = (workflowId: number, filtered = false) =>
  filtered
    ? `no log files of workflow ${workflowId} match the filter under the output directory`
    : `no log files for workflow ${workflowId} under the output directory yet (the jobs may not have started)`

export const missingFileMessage = (path: string) => `no file ${path} under the output directory`

/**
 * A ToolError for the output site at `host`: the message (what clients see) never names the site's
 * address; the cause, which the structured log line keeps, does.
 */
export function siteError(code: ErrorCode, message: string, host: string, cause?: unknown): ToolError {
  const detail = cause instanceof Error ? `: ${cause.message}` : ''
  return new ToolError(code, message, { cause: new Error(`output site at ${host}${detail}`) })
}

/** The site's own message, short and without addresses; it never holds the token (site/app.ts writes no secrets). */
async function siteMessage(res: Response, host: string): Promise<string | undefined> {
  const text = await res.text().catch(() => '')
  try {
    const parsed = SiteErrorSchema.safeParse(JSON.parse(text))
    if (parsed.success) return upstreamText(parsed.data.error.message, [host])
  } catch {
    // not JSON: a proxy's page, say nothing of its content
  }
  return undefined
}

/** Maps a non-2xx answer from the site (or the tunnel/Access in front of it) to a ToolError. */
export async function statusError(res: Response, host: string, what: string): Promise<ToolError> {
  const detail = await siteMessage(res, host)
  const suffix = detail ? `: ${detail}` : ''
  switch (res.status) {
    case 400:
      return siteError('invalid_input', `the output site refused to ${what}${suffix}`, host)
    case 401:
    case 403:
      // The caller did nothing wrong: the deployment's token or Access service token is.
      return siteError(
        'upstream_error',
        `the output site refused torc-edge's credentials (HTTP ${res.status}) trying to ${what}: ` +
          'check TORC_OUTPUT_TOKEN and, behind Access, CF_ACCESS_CLIENT_ID/CF_ACCESS_CLIENT_SECRET',
        host
      )
    case 404:
      return siteError('not_found', `the output site has nothing to ${what}${suffix}`, host)
    case 502:
    case 503:
    case 530:
      return siteError(
        'upstream_unavailable',
        `the output site is unreachable (HTTP ${res.status}) trying to ${what}`,
        host
      )
    case 504:
    case 524:
      return siteError('upstream_timeout', `the output site timed out (HTTP ${res.status}) trying to ${what}`, host)
    default:
      return siteError('upstream_error', `the output site failed to ${what} (HTTP ${res.status})${suffix}`, host)
  }
}
