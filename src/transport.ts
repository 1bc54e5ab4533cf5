import type { Config, ServiceBinding, WorkerEnv } from './config.ts'

/**
 * How the Worker reaches a server on the cluster: a direct URL (local dev, or a Cloudflare
 * Tunnel hostname behind Access service auth) or a service binding (Workers VPC). Either way
 * the credentials are added here and nowhere else.
 */
export interface Transport {
  /** Absolute base URL; with a binding only its path matters. */
  readonly baseUrl: string
  /** Host shown in error messages: never carries credentials. */
  readonly host: string
  fetch(pathAndQuery: string, init: RequestInit): Promise<Response>
}

export interface TransportOptions {
  baseUrl: string
  binding?: ServiceBinding | undefined
  basicAuth?: { user: string; password: string } | undefined
  access?: { clientId: string; clientSecret: string } | undefined
  bearer?: string | undefined
}

export function createTransport(options: TransportOptions): Transport {
  const base = new URL(options.baseUrl)
  const headers: Record<string, string> = {}
  if (options.basicAuth) {
    headers.Authorization = `Basic ${btoa(`${options.basicAuth.user}:${options.basicAuth.password}`)}`
  }
  if (options.bearer) headers.Authorization = `Bearer ${options.bearer}`
  if (options.access) {
    headers['CF-Access-Client-Id'] = options.access.clientId
    headers['CF-Access-Client-Secret'] = options.access.clientSecret
  }
  const send = options.binding ? (req: Request) => options.binding!.fetch(req) : (req: Request) => fetch(req)
  const baseUrl = base.href.replace(/\/+$/, '')
  return {
    baseUrl,
    host: base.host,
    fetch(pathAndQuery, init) {
      const req = new Request(`${baseUrl}${pathAndQuery}`, init)
      for (const [name, value] of Object.entries(headers)) req.headers.set(name, value)
      return send(req)
    },
  }
}

/** The Cloudflare Access service token sent to both tunnel hostnames, when configured. */
function accessToken(config: Config): TransportOptions['access'] {
  return config.CF_ACCESS_CLIENT_ID && config.CF_ACCESS_CLIENT_SECRET
    ? { clientId: config.CF_ACCESS_CLIENT_ID, clientSecret: config.CF_ACCESS_CLIENT_SECRET }
    : undefined
}

/** The transport to torc-server described by the deployment's configuration. */
export function torcTransport(config: Config, env: WorkerEnv): Transport {
  const user = config.TORC_USERNAME
  const password = config.TORC_PASSWORD
  return createTransport({
    baseUrl: config.TORC_API_URL,
    binding: env.TORC,
    basicAuth: user && password ? { user, password } : undefined,
    access: accessToken(config),
  })
}

/**
 * The transport to the output site server with one of its tokens (the read token by default; the
 * agent's action token for actions), or undefined when the deployment has no site server.
 */
export function outputTransport(
  config: Config,
  env: WorkerEnv,
  token: string | undefined = config.TORC_OUTPUT_TOKEN
): Transport | undefined {
  if (!config.TORC_OUTPUT_URL) return undefined
  return createTransport({
    baseUrl: config.TORC_OUTPUT_URL,
    binding: env.OUTPUT,
    bearer: token,
    access: accessToken(config),
  })
}
