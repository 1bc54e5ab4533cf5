// Values test/global-setup.ts provides to the tests (the Worker's types: test/integration/worker-env.d.ts).
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

export {}
