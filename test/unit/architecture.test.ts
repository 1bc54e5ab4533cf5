/**
 * The layering docs/architecture.md describes, checked on the source: every module of src/ has a
 * layer, a module imports values only from its own layer or below (faces -> tools -> domain ->
 * clients -> shared), no static value imports form a cycle, and site/ (the other process) shares
 * only src/site-protocol/ with the Worker. Type-only imports are free: they vanish at build time.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/torc-paths.ts'

/** Highest first; a module belongs to the first layer whose pattern matches its path. */
const LAYERS: [string, RegExp][] = [
  ['entry', /^src\/(index\.ts|conformance\/)/],
  [
    'faces',
    /^src\/((app|app-env|mcp|mcp-answer|mcp-resources|prompts|rest|openapi|auth|guard|health|body-limit)\.ts|oauth\/|views\/)/,
  ],
  ['tools', /^src\/(registry\.ts|changes\/|tools\/|watch\/)/],
  ['domain', /^src\/(recovery|workflow-spec|logs|docs)\//],
  ['clients', /^src\/(torc\/|output\/|transport\.ts|site-protocol\/)/],
  ['shared', /^src\/((errors|hash|log|bytes|concurrency|config|config-fields|config-watch|version)\.ts|validation\/)/],
]
const rank = (file: string) => LAYERS.findIndex(([, pattern]) => pattern.test(file))
const layer = (file: string) => LAYERS[rank(file)]?.[0] ?? 'no layer'

interface Import {
  from: string
  to: string
  /** A static `import … from` or `export … from` (not `import type`, not import()). */
  static: boolean
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${dir}/${name}`)
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const target = (spec: string) => relative(ROOT, resolve(dirname(join(ROOT, file)), spec))
  const found: Import[] = []
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?\bfrom\s+'(\.[^']+)'/gm)) {
    if (!m[1]) found.push({ from: file, to: target(m[2]!), static: true })
  }
  for (const m of text.matchAll(/\bimport\('(\.[^']+)'\)/g))
    found.push({ from: file, to: target(m[1]!), static: false })
  return found
}

const src = sources('src')
const edges = src.flatMap(importsOf).filter((e) => e.to.startsWith('src/') && !e.to.endsWith('.json'))

describe('architecture', () => {
  it('every module of src/ has a layer', () => {
    expect(src.filter((file) => rank(file) < 0)).toEqual([])
  })

  it('values are imported from the same layer or below', () => {
    const upward = edges
      .filter((e) => rank(e.to) < rank(e.from))
      .map((e) => `${e.from} (${layer(e.from)}) -> ${e.to} (${layer(e.to)})`)
    expect(upward).toEqual([])
  })

  it('no static value imports form a cycle', () => {
    const graph = new Map<string, string[]>()
    for (const e of edges.filter((e) => e.static)) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to])
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const stack: string[] = []
    const visit = (file: string) => {
      state.set(file, 'open')
      stack.push(file)
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '))
        else if (!state.has(next)) visit(next)
      }
      stack.pop()
      state.set(file, 'done')
    }
    for (const file of src) if (!state.has(file)) visit(file)
    expect(cycles).toEqual([])
  })

  it('site/ shares only src/site-protocol/ with the Worker', () => {
    const shared = sources('site')
      .flatMap(importsOf)
      .filter((e) => e.to.startsWith('src/') && !e.to.startsWith('src/site-protocol/'))
      .map((e) => `${e.from} -> ${e.to}`)
    expect(shared).toEqual([])
  })

  it('sees the imports it checks', () => {
    // A regex that stopped matching would pass every test above: the app's own imports are found.
    expect(edges.filter((e) => e.from === 'src/app.ts' && e.static).length).toBeGreaterThan(10)
    expect(edges).toContainEqual({ from: 'src/auth.ts', to: 'src/oauth/server.ts', static: false })
  })
})
