import { append, type Child, h, replace } from './dom.ts'
import { ToolFailure, type ViewContext } from './host.ts'

/** A titled part of a view. */
export function section(title: string, ...children: Child[]): HTMLElement {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  return h('section', { attrs: { 'aria-label': title, 'data-section': slug } }, h('h2', null, title), children)
}

/**
 * A section whose content comes from another tool call through the host: it says it is loading,
 * then shows the answer, or why it is not there (the call failed, or the host lets views call no tools).
 */
export function later(ctx: ViewContext, title: string, load: () => Promise<Child>): HTMLElement {
  const body = h('div', { attrs: { 'aria-busy': 'true' } }, h('p', { class: 'muted' }, 'Loading…'))
  const el = section(title, body)
  if (!ctx.canCall) {
    replace(body, h('p', { class: 'muted' }, 'This host does not let views call tools; ask the assistant instead.'))
    body.removeAttribute('aria-busy')
    return el
  }
  load().then(
    (content) => {
      replace(body)
      append(body, [content])
      body.removeAttribute('aria-busy')
      el.dataset.loaded = 'true'
    },
    (err: unknown) => {
      const message = err instanceof ToolFailure ? err.message : String((err as Error)?.message ?? err)
      replace(body, h('p', { class: 'muted' }, `Not available: ${message}`))
      body.removeAttribute('aria-busy')
      el.dataset.loaded = 'error'
    }
  )
  return el
}
