import { createApp } from './app.ts'

/** The Worker: MCP at /mcp, REST at /v1/tools/<name>, OpenAPI at /openapi.json, health at /health. */
export default createApp()
