/**
 * The views' entry: connects to the host over the MCP Apps bridge (ext-apps' App), follows its
 * theme and style variables, and draws the tool answer the host sends with the renderer for that
 * tool. One bundle serves the five `ui://` views; the page's `data-view` names which it is.
 */
import {
  App,
  applyDocumentTheme,
  applyHostStyleVariables,
  type McpUiHostContext,
  type McpUiTheme,
} from '@modelcontextprotocol/ext-apps'
import { VIEW_NAMES, type ViewName } from '../catalog.ts'
import { button, type Child, h, replace } from './dom.ts'
import { hostCalls, resultData, type Shown, ToolFailure, type ToolName, type ViewContext } from './host.ts'
import { inferTool, renderer } from './routes.ts'
import { applyStatusColors } from './status.ts'

const root = document.getElementById('app')!
const named = document.documentElement.dataset.view
const view: ViewName = VIEW_NAMES.includes(named as ViewName) ? (named as ViewName) : 'dashboard'

const app = new App({ name: 'torc-edge-views', version: '1.0.0' }, {}, { autoResize: true })
let args: Record<string, unknown> = {}
const history: Shown[] = []
let current: Shown | undefined

function theme(context: McpUiHostContext | undefined): void {
  const chosen: McpUiTheme =
    context?.theme ?? (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')
  applyDocumentTheme(chosen)
  applyStatusColors(chosen)
  if (context?.styles?.variables) applyHostStyleVariables(context.styles.variables)
}

const toolName = () => app.getHostContext()?.toolInfo?.tool.name

function failure(err: unknown): HTMLElement {
  const message = err instanceof ToolFailure ? err.message : `the view failed: ${(err as Error)?.message ?? err}`
  return h('p', { class: 'alert', attrs: { role: 'alert' } }, message)
}

const call = hostCalls(app)

const context = (shown: Shown): ViewContext => ({
  shown,
  canCall: app.getHostCapabilities()?.serverTools !== undefined,
  call,
  show,
  open: async (tool, toolArgs, push = false) => {
    try {
      show({ tool, args: toolArgs, data: await call(tool, toolArgs) }, push)
    } catch (err) {
      root.prepend(failure(err))
    }
  },
})

function show(next: Shown, push = false): void {
  if (push && current) history.push(current)
  current = next
  let body: Child
  try {
    body = renderer(view, next)(context(next))
  } catch (err) {
    body = failure(err)
  }
  const ctx = context(next)
  // A change is refreshed by previewing it again, never by sending its apply a second time.
  const change = 'can_apply' in next.data
  const { plan_id: _plan, ...rest } = next.args
  const again = change ? { ...rest, dry_run: true } : next.args
  const bar = h(
    'nav',
    { class: 'toolbar', attrs: { 'aria-label': 'View controls' } },
    history.length ? button('← Back', () => show(history.pop()!), { attrs: { 'data-action': 'back' } }) : null,
    ctx.canCall && !next.tool.startsWith('confirm_')
      ? button(
          next.data.status === 'applied' ? 'Preview again' : 'Refresh',
          () => ctx.open(next.tool as ToolName, again),
          {
            attrs: { 'data-action': 'refresh', title: `Call ${next.tool} again` },
          }
        )
      : null,
    h('span', { class: 'muted tool-name' }, next.tool)
  )
  replace(root, bar, body)
}

app.ontoolinput = (params) => {
  args = params.arguments ?? {}
}
app.ontoolresult = (result) => {
  try {
    const data = resultData(result)
    show({ tool: toolName() ?? inferTool(data), args, data })
  } catch (err) {
    replace(root, failure(err))
  }
}
app.ontoolcancelled = (params) => {
  replace(root, h('p', { class: 'muted' }, `The tool call was cancelled${params.reason ? `: ${params.reason}` : ''}.`))
}
app.onhostcontextchanged = () => theme(app.getHostContext())
app.onteardown = async () => ({})

theme(undefined)
app.connect().then(
  () => theme(app.getHostContext()),
  (err: unknown) => replace(root, failure(new ToolFailure(`could not connect to the host: ${(err as Error).message}`)))
)
