import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY, registerAppResource } from '@modelcontextprotocol/ext-apps/server'
import type { McpServer } from '@modelcontextprotocol/server'
import { VIEW_NAMES, VIEWS, type ViewName } from './catalog.ts'
import { viewHtml } from './html.ts'

/** No origin at all: the views fetch nothing, load nothing and embed nothing. */
const NO_ORIGINS = { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }

/** The resource's `_meta`: MCP Apps' keys, and ChatGPT's names for the same facts. */
function resourceMeta(view: ViewName) {
  return {
    ui: { csp: NO_ORIGINS, prefersBorder: true },
    'openai/widgetDescription': VIEWS[view].description,
    'openai/widgetCSP': { connect_domains: [], resource_domains: [] },
    'openai/widgetPrefersBorder': true,
  }
}

/**
 * A tool's `_meta` in tools/list when it has a view: `ui.resourceUri` (MCP Apps), the flat
 * `ui/resourceUri` older hosts read, and ChatGPT's names: `openai/outputTemplate` for the view and
 * `openai/widgetAccessible`, which older ChatGPT builds require before a view may call tools
 * (refresh, apply, load more). Hosts without Apps ignore it; the result is the same either way.
 */
export function viewMeta(view: ViewName | undefined): Record<string, unknown> | undefined {
  if (view === undefined) return undefined
  const uri = VIEWS[view].uri
  return {
    ui: { resourceUri: uri },
    [RESOURCE_URI_META_KEY]: uri,
    'openai/outputTemplate': uri,
    'openai/widgetAccessible': true,
  }
}

/** Registers the five `ui://` views on one per-request server (resources/list and resources/read). */
export function registerViews(server: McpServer): void {
  for (const name of VIEW_NAMES) {
    const view = VIEWS[name]
    registerAppResource(
      server,
      `view-${name}`,
      view.uri,
      { title: view.title, description: view.description, _meta: resourceMeta(name) },
      () => ({
        contents: [{ uri: view.uri, mimeType: RESOURCE_MIME_TYPE, text: viewHtml(view), _meta: resourceMeta(name) }],
      })
    )
  }
}
