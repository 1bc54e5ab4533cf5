import pkg from '../package.json' with { type: 'json' }

/** The Worker's version, from package.json: reported by /health, MCP serverInfo and OpenAPI. */
export const VERSION: string = pkg.version
