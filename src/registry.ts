import type { z } from 'zod'
import type { Ledger } from './changes/ledger.ts'
import type { Config } from './config.ts'
import { ToolError, toToolError } from './errors.ts'
import { logEvent } from './log.ts'
import type { AgentClient } from './output/agent.ts'
import type { OutputClient } from './output/client.ts'
import type { TorcClient } from './torc/client.ts'
import { compiled } from './validation/compiled.ts'
import type { ViewName } from './views/catalog.ts'
import type { WatchStore } from './watch/store.ts'

/** Who is calling: the API key (or OAuth grant) id and its scope. */
export interface Caller {
  id: string
  scope: 'read' | 'write'
}

/** Everything a handler may use. No MCP or HTTP types: handlers return plain data. */
export interface ToolContext {
  torc: TorcClient
  /** The output site server, when the deployment has one (TORC_OUTPUT_URL). */
  output: OutputClient | undefined
  /** The login-node agent's cluster actions, when configured (TORC_OUTPUT_AGENT_TOKEN). */
  agent?: AgentClient | undefined
  config: Config
  caller: Caller
  /** The change ledger (one lock per workflow); absent when the deployment has no CHANGES binding. */
  ledger: Ledger | undefined
  /** Watches and their history (D1); absent when the deployment has no WATCHES binding. */
  watches?: WatchStore | undefined
  signal: AbortSignal
  /** Reports progress when the client asked for it (MCP progress token); a no-op otherwise. */
  progress(progress: number, total?: number, message?: string): Promise<void>
}

export interface ToolAnnotations {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

export interface Tool<
  I extends z.ZodObject = z.ZodObject,
  O extends z.ZodObject = z.ZodObject,
  N extends string = string,
> {
  /** snake_case; the Rust server's name where one exists. */
  name: N
  title: string
  /** For a model: what it does, when to use it, what it returns. First sentence <= 300 chars. */
  description: string
  input: I
  output: O
  annotations: ToolAnnotations
  handler(input: z.output<I>, ctx: ToolContext): Promise<z.input<O>>
  /**
   * For a tool that changes state only for some inputs (create_workflow's action): it is listed to
   * every caller, and the write check applies to the inputs this returns true for.
   */
  writes?(input: z.output<I>): boolean
  /** One short line for the text rendering next to the structured result. */
  summarize?(output: z.output<O>): string
  /** Files the result carries, handed to MCP clients as embedded resources they can save. */
  resources?(output: z.output<O>): EmbeddedFile[]
  /** The MCP Apps view that shows the answer (src/views): linked in tools/list, the result unchanged. */
  view?: ViewName
}

/** An MCP embedded text resource (`{ type: 'resource', resource }` in a tool result). */
export interface EmbeddedFile {
  uri: string
  mimeType: string
  text: string
}

/**
 * The tool as given, its output schema compiled for the Worker (src/validation/compiled.ts). Its
 * generic parameters keep the name a literal (see ToolName).
 */
export const defineTool = <I extends z.ZodObject, O extends z.ZodObject, const N extends string>(
  tool: Tool<I, O, N>
): Tool<I, O, N> => ({ ...tool, output: compiled(`output:${tool.name}`, tool.output) })

export type AnyTool = Tool<z.ZodObject, z.ZodObject>

export interface Access {
  writesEnabled: boolean
  caller: Caller
}

/** Write tools exist for a caller only when the deployment enables writes AND the key may write. */
export function isVisible(tool: AnyTool, access: Access): boolean {
  return tool.annotations.readOnlyHint || tool.writes !== undefined || mayWrite(access)
}

const mayWrite = (access: Access) => access.writesEnabled && access.caller.scope === 'write'

function writeRefusal(tool: AnyTool, writesEnabled: boolean): ToolError {
  return new ToolError(
    'forbidden',
    writesEnabled
      ? `${tool.name} changes Torc state and needs a credential with the write scope`
      : `${tool.name} changes Torc state and writes are disabled on this deployment (TORC_EDGE_WRITES)`
  )
}

export type Face = 'mcp' | 'rest'
export type Outcome = { ok: true; data: Record<string, unknown> } | { ok: false; error: ToolError }

/** Names every offending field: `workflow_id: expected number, received string`. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(input)'
    return `${path}: ${issue.message}`
  })
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : ''
  return `invalid input: ${parts.join('; ')}${more}`
}

/**
 * The single path every call takes, whatever the face: access check, input validation,
 * the handler, output check, and one structured log line.
 */
export async function invoke(tool: AnyTool, rawInput: unknown, ctx: ToolContext, face: Face): Promise<Outcome> {
  const started = Date.now()
  let outcome: Outcome
  try {
    const access = { writesEnabled: ctx.config.TORC_EDGE_WRITES, caller: ctx.caller }
    if (!isVisible(tool, access)) throw writeRefusal(tool, access.writesEnabled)
    const input = tool.input.safeParse(rawInput ?? {})
    if (!input.success) throw new ToolError('invalid_input', describeIssues(input.error))
    if (tool.writes?.(input.data) && !mayWrite(access)) throw writeRefusal(tool, access.writesEnabled)
    const result = await tool.handler(input.data, ctx)
    const output = tool.output.safeParse(result)
    if (!output.success) {
      throw new Error(`${tool.name} produced output that breaks its schema: ${describeIssues(output.error)}`)
    }
    outcome = { ok: true, data: output.data }
  } catch (err) {
    outcome = { ok: false, error: toToolError(err) }
  }
  logToolCall(tool.name, ctx.caller, face, outcome, Date.now() - started)
  return outcome
}

/** The one structured line per tool call: tool, caller, face, outcome, duration; never a credential. */
export function logToolCall(tool: string, caller: Caller, face: Face, outcome: Outcome, durationMs: number): void {
  const line: Record<string, unknown> = {
    event: 'tool_call',
    tool,
    caller: caller.id,
    face,
    outcome: outcome.ok ? 'ok' : outcome.error.code,
    duration_ms: durationMs,
  }
  if (!outcome.ok) {
    line.message = outcome.error.message
    const cause = outcome.error.cause
    if (cause instanceof Error) line.cause = cause.message
  }
  logEvent('tool_call', line)
}
