/**
 * Mints a torc-edge API key: prints the key (give it to the client) and the entry to add to the
 * TORC_EDGE_API_KEYS secret (only the SHA-256 of the key is stored).
 * Usage: node scripts/api-key.ts <key-id> <read|write>
 */
import { createHash, randomBytes } from 'node:crypto'

export interface MintedKey {
  key: string
  entry: string
}

export function mintApiKey(id: string, scope: 'read' | 'write'): MintedKey {
  const key = `tek_${randomBytes(24).toString('base64url')}`
  return { key, entry: keyEntry(id, scope, key) }
}

export function keyEntry(id: string, scope: 'read' | 'write', key: string): string {
  return `${id}:${scope}:${createHash('sha256').update(key).digest('hex')}`
}

if (import.meta.main) {
  const [id, scope] = process.argv.slice(2)
  if (!id || (scope !== 'read' && scope !== 'write')) {
    console.error('usage: node scripts/api-key.ts <key-id> <read|write>')
    process.exit(2)
  }
  const minted = mintApiKey(id, scope)
  console.log(`key:   ${minted.key}`)
  console.log(`entry: ${minted.entry}   (append to TORC_EDGE_API_KEYS, comma-separated)`)
}
