import { VIEW_SCRIPT, VIEW_SCRIPT_SHA256, VIEW_STYLE, VIEW_STYLE_SHA256 } from './bundle.gen.ts'
import type { ViewInfo } from './catalog.ts'

/**
 * The page's own policy, on top of whatever the host enforces: only this page's one script and one
 * style sheet (by hash), nothing fetched, framed or submitted anywhere. Views talk to the host by
 * postMessage only, which no CSP directive governs.
 */
export const VIEW_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${VIEW_SCRIPT_SHA256}'`,
  `style-src 'sha256-${VIEW_STYLE_SHA256}'`,
  'img-src data:',
  "connect-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')

/**
 * One view's HTML: the same bundle for every view (one copy in the Worker), told which view it is by
 * `data-view`. Self-contained: no URL in it points anywhere.
 */
export function viewHtml(view: ViewInfo): string {
  return (
    `<!doctype html><html lang="en" data-view="${view.name}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<meta http-equiv="Content-Security-Policy" content="${VIEW_CSP}">` +
    `<title>${view.title}</title><style>${VIEW_STYLE}</style></head>` +
    `<body><main id="app" aria-live="polite"><p class="muted">Waiting for the tool's answer…</p></main>` +
    `<script>${VIEW_SCRIPT}</script></body></html>`
  )
}
