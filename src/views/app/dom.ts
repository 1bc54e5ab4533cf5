/**
 * A small element builder: text goes in as text nodes (never parsed as HTML), styles through CSSOM
 * (which the page's CSP allows, unlike style attributes), events as listeners.
 */
export type Child = Node | string | number | null | undefined | false | Child[]

export interface Props {
  class?: string
  /** Attributes (aria-*, data-*, role, type, title, …); false or undefined leaves one out. */
  attrs?: Record<string, string | number | boolean | undefined>
  style?: Record<string, string>
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  if (props?.class) el.className = props.class
  for (const [name, value] of Object.entries(props?.attrs ?? {})) {
    if (value === false || value === undefined) continue
    el.setAttribute(name, value === true ? '' : String(value))
  }
  for (const [name, value] of Object.entries(props?.style ?? {})) el.style.setProperty(name, value)
  for (const [type, listener] of Object.entries(props?.on ?? {})) el.addEventListener(type, listener as EventListener)
  append(el, children)
  return el
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

/** Replaces everything in `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, children)
}

/** A button that runs `action`, disabled (and saying so) while it runs. */
export function button(label: string, action: () => void | Promise<void>, props: Props = {}): HTMLButtonElement {
  const el = h('button', { ...props, attrs: { type: 'button', ...props.attrs } }, label)
  el.addEventListener('click', async () => {
    if (el.disabled) return
    el.disabled = true
    el.setAttribute('aria-busy', 'true')
    el.nextElementSibling?.classList.contains('button-error') && el.nextElementSibling.remove()
    try {
      await action()
    } catch (err) {
      el.after(h('span', { class: 'alert button-error', attrs: { role: 'alert' } }, (err as Error).message))
    } finally {
      el.disabled = false
      el.removeAttribute('aria-busy')
    }
  })
  return el
}

/**
 * A table with a caption and header cells; rows of cells (strings or nodes). `quiet` keeps the
 * caption for screen readers only (the section's title already says it).
 */
export function table(
  caption: string,
  headers: string[],
  rows: Child[][],
  props: Props = {},
  quiet = false
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', attrs: { role: 'region', 'aria-label': caption, tabindex: 0 } },
    h(
      'table',
      props,
      h('caption', quiet ? { class: 'sr-only' } : null, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          headers.map((text) => h('th', { attrs: { scope: 'col' } }, text))
        )
      ),
      h(
        'tbody',
        null,
        rows.map((cells) =>
          h(
            'tr',
            null,
            cells.map((cell) => h('td', null, cell))
          )
        )
      )
    )
  )
}

/** A definition list of label/value pairs (values left out when null or undefined). */
export function facts(pairs: [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([label, value]) => h('div', null, h('dt', null, label), h('dd', null, value)))
  )
}
