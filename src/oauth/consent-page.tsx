import type { ConsentDescription } from '@cloudflare/workers-oauth-provider'
import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { Signer } from './identity.ts'

/** No scripts, no external assets, no framing: the page's whole policy. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"

/**
 * `same-origin`: the form's POST back to /authorize carries the page's real Origin (under
 * `no-referrer` browsers send `Origin: null`, which the Origin guard must refuse), while the
 * redirect to the client and any other origin get no Referer, so the page's URL never leaks.
 */
export const REFERRER_POLICY = 'same-origin'

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem;margin-bottom:.5rem}
.box{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
.warn{background:#fff8c5;border-color:#d4a72c}.error{background:#ffebe9;border-color:#ff8182}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}
.check{font-weight:normal}
button{font:inherit;padding:.5rem 1.25rem;margin-right:.5rem;border-radius:6px;border:1px solid #8c959f;cursor:pointer}
button[value=approve]{background:#1f883d;color:#fff;border-color:#1a7f37}
code{background:#f6f8fa;padding:0 .25rem;border-radius:4px}
small{color:#59636e}`

function Page(props: { title: string; children: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content={REFERRER_POLICY} />
          <title>{props.title}</title>
          <style>{raw(STYLE)}</style>
        </head>
        <body>{props.children}</body>
      </html>
    </>
  )
}

/** What the page shows and what the form carries back. Hono JSX escapes every string in it. */
export interface ConsentView {
  details: ConsentDescription
  handle: string
  /** Set when Cloudflare Access already identified the operator: no API key is asked for. */
  signer?: Signer
  error?: string
}

/**
 * The consent page (MCP authorization security practices): the client's name, its verified domain
 * for a metadata-document client, where tokens go, a warning for local apps, and the access
 * granted, which is the API key's scope (or the Access identity's), whatever the client asked for.
 */
export function ConsentPage({ details, handle, signer, error }: ConsentView) {
  return (
    <Page title={`Connect ${details.clientName} to torc-edge`}>
      <h1>
        Connect <strong>{details.clientName}</strong> to torc-edge?
      </h1>
      <p>
        {details.clientDomain ? (
          <>
            Published by <strong>{details.clientDomain}</strong> (its client ID is a URL on that domain).
          </>
        ) : (
          'This app registered itself; its name is not verified.'
        )}{' '}
        Access will be sent to <strong>{details.redirectHost}</strong>.
      </p>
      {details.redirectIsLoopback && (
        <p class="box warn">
          <strong>This sends access to an app on your computer.</strong> Continue only if you just started connecting
          from it: any local program could be listening.
        </p>
      )}
      {error && <p class="box error">{error}</p>}
      <div class="box">
        <p>
          The app will use the Torc workflows behind this deployment with the scope of the credential you sign in with:{' '}
          <strong>read</strong> (workflows, jobs, results, logs) or <strong>write</strong> (also recovery, job control
          and workflow creation, where this deployment enables writes).
        </p>
        {details.scope.length > 0 && (
          <p>
            <small>
              The app asked for: <code>{details.scope.join(' ')}</code>
            </small>
          </p>
        )}
      </div>
      <form method="post">
        <input type="hidden" name="handle" value={handle} />
        {signer ? (
          <p>
            Signed in through Cloudflare Access as <strong>{signer.caller.id}</strong> ({signer.caller.scope} access).
          </p>
        ) : (
          <>
            <label for="api_key">torc-edge API key</label>
            <input id="api_key" name="api_key" type="password" autocomplete="off" required />
            <small>
              Used once to approve; the app never sees it. Mint one with <code>npm run key</code>.
            </small>
          </>
        )}
        <label class="check">
          <input type="checkbox" name="read_only" /> Grant read-only access even if the credential can write
        </label>
        <p>
          <button type="submit" name="decision" value="approve">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" formnovalidate>
            Deny
          </button>
        </p>
      </form>
    </Page>
  )
}

/** A local error page, for failures that must not redirect to an unverified client. */
export function ErrorPage(props: { message: string }) {
  return (
    <Page title="torc-edge: authorization failed">
      <h1>Authorization failed</h1>
      <p class="box error">{props.message}</p>
      <p>Start connecting again from the app.</p>
    </Page>
  )
}
