// The Worker's default export as `exports.default` from cloudflare:workers sees it, and the bindings
// vitest.config.ts gives miniflare that tests touch directly. Worker project only (tsconfig.json):
// src/index.ts exports the Durable Object class, which the Node project cannot type.
declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../../src/index.ts')
    }
    interface Env {
      OAUTH_KV: KVNamespace
      /** torc-server behind a fault injector (vitest.config.ts faultInjector). */
      TORC_FAULTS: Fetcher
    }
  }
}

export {}
