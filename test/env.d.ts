// Values test/global-setup.ts provides to the tests, and the Worker's default export as
// `exports.default` from cloudflare:workers sees it.
declare module 'vitest' {
  export interface ProvidedContext {
    torcApiUrl: string
    apiKeys: string
    readKey: string
    writeKey: string
    outputUrl: string
    outputToken: string
    clusterUrl: string
    docsUrl: string
  }
}

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../src/index.ts')
    }
    // The bindings vitest.config.ts gives miniflare that tests touch directly.
    interface Env {
      OAUTH_KV: KVNamespace
      /** torc-server behind a fault injector (vitest.config.ts faultInjector). */
      TORC_FAULTS: Fetcher
    }
  }
}

export {}
