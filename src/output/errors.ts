/** The output site's failures in the one taxonomy (src/errors.ts), worded for the user. */
import { ToolError } from '../errors.ts'
import { SiteErrorSchema } from '../site-protocol/schemas.ts'

export const missingLogsMessage = (workflowId: number, filtered = false) =>
  filtered
    ? `no log files of workflow ${workflowId} match the filter under the output directory`
    : `no log files for workflow ${workflowId} under the output directory yet (the jobs may not have started)`

export const missingFileMessage = (path: string) => `no file ${path} under the output directory`

/** The site's own message, kept short; it never holds the token (site/app.ts writes no secrets). */
async function siteMessage(res: Response): Promise<string | undefined> {
  const text = await res.text().catch(() => '')
  try {
    const parsed = SiteErrorSchema.safeParse(JSON.parse(text))
    if (parsed.success) return parsed.data.error.message.slice(0, 300)
  } catch {
    // not JSON: a proxy's page, say nothing of its content
  }
  return undefined
}

/** Maps a non-2xx answer from the site (or the tunnel/Access in front of it) to a ToolError. */
export async function statusError(res: Response, host: string, what: string): Promise<ToolError> {
  const detail = await siteMessage(res)
  const suffix = detail ? `: ${detail}` : ''
  switch (res.status) {
    case 400:
      return new ToolError('invalid_input', `the output site at ${host} refused to ${what}${suffix}`)
    case 401:
    case 403:
      // The caller did nothing wrong: the deployment's token or Access service token is.
      return new ToolError(
        'upstream_error',
        `the output site at ${host} refused torc-edge's credentials (HTTP ${res.status}) trying to ${what}: ` +
          'check TORC_OUTPUT_TOKEN and, behind Access, CF_ACCESS_CLIENT_ID/CF_ACCESS_CLIENT_SECRET'
      )
    case 404:
      return new ToolError('not_found', `the output site at ${host} has nothing to ${what}${suffix}`)
    case 502:
    case 503:
    case 530:
      return new ToolError(
        'upstream_unavailable',
        `the output site at ${host} is unreachable (HTTP ${res.status}) trying to ${what}`
      )
    case 504:
    case 524:
      return new ToolError(
        'upstream_timeout',
        `the output site at ${host} timed out (HTTP ${res.status}) trying to ${what}`
      )
    default:
      return new ToolError(
        'upstream_error',
        `the output site at ${host} failed to ${what} (HTTP ${res.status})${suffix}`
      )
  }
}
