import type { McpServer } from '@modelcontextprotocol/server'
import type { McpExtension } from '../mcp.ts'
import { registerContentTools } from './content-tools.ts'
import { registerInputTools } from './input-tools.ts'
import { registerPrompts } from './prompts.ts'
import type { StateSeal } from './request-state.ts'
import { registerResources } from './resources.ts'

/**
 * The official conformance suite's fixtures (tools, resources, prompts named `test_*` /
 * `test://*`), added next to the real Torc tools on each per-request server of the conformance
 * build only (src/conformance/worker.ts). Logging is declared for request-scoped log notifications
 * (2026-07-28 `_meta` logLevel; 2025 tools-call-with-logging).
 */
export function conformanceFixtures(seal: StateSeal): McpExtension {
  return (server: McpServer) => {
    server.server.registerCapabilities({ logging: {} })
    registerContentTools(server)
    registerInputTools(server, seal)
    registerResources(server)
    registerPrompts(server)
  }
}
