/** What the OAuth integration tests share (oauth-flow.test.ts, oauth-access.test.ts): the tools a grant lists. */
import { tools } from '../../src/tools/index.ts'

/** What a read grant lists (read-only tools, and tools that write only for some inputs), in registry order. */
export const readTools = tools.filter((t) => t.annotations.readOnlyHint || t.writes).map((t) => t.name)
export const allTools = tools.map((t) => t.name)
