/**
 * What a view needs from its host: the answer it shows (tool, arguments, structured result), calls
 * of the server's tools through the host (tools/call over the App bridge: a view fetches nothing
 * itself), and a way to show another answer in the same frame (refresh, a workflow picked from a
 * list, a failed job's log), with a way back.
 */
import type { App } from '@modelcontextprotocol/ext-apps'
import type { ToolName } from '../../tools/index.ts'
import { isRecord } from './format.ts'

export type { ToolName }

export interface Shown {
  tool: string
  args: Record<string, unknown>
  data: Record<string, unknown>
}

/** A tool call that failed: the server's `code: message`, or why the host could not make it. */
export class ToolFailure extends Error {
  override readonly name = 'ToolFailure'
}

export interface ViewContext {
  shown: Shown
  /** Whether the host lets this view call tools (its serverTools capability). */
  canCall: boolean
  call(tool: ToolName, args: Record<string, unknown>): Promise<Record<string, unknown>>
  /** Shows `next` here; `push` keeps the current answer to go back to. */
  show(next: Shown, push?: boolean): void
  /** Calls a tool and shows its answer here. */
  open(tool: ToolName, args: Record<string, unknown>, push?: boolean): Promise<void>
}

type CallResult = Awaited<ReturnType<App['callServerTool']>>

/** The structured result of a tool answer, or its JSON text when a host passed on only the text. */
export function resultData(result: CallResult | { isError?: boolean; content?: unknown; structuredContent?: unknown }) {
  const content = Array.isArray(result.content) ? result.content : []
  const text = content
    .filter((c): c is { type: 'text'; text: string } => isRecord(c) && c.type === 'text' && typeof c.text === 'string')
    .map((c) => c.text)
    .join('\n')
  if (result.isError) throw new ToolFailure(text || 'the tool failed without saying why')
  if (isRecord(result.structuredContent)) return result.structuredContent
  // torc-edge's text is a one-line summary, then the JSON.
  const json = text.slice(text.indexOf('\n') + 1)
  try {
    const parsed: unknown = JSON.parse(json)
    if (isRecord(parsed)) return parsed
  } catch {
    // not JSON: fall through
  }
  throw new ToolFailure('the answer has no structured result to show')
}

export function hostCalls(app: App) {
  return async (tool: string, args: Record<string, unknown>) => {
    let result: CallResult
    try {
      result = await app.callServerTool({ name: tool, arguments: args })
    } catch (err) {
      throw new ToolFailure(`the host could not call ${tool}: ${(err as Error).message}`)
    }
    return resultData(result)
  }
}
