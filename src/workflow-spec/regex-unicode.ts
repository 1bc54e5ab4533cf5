/**
 * Character classes of the Rust dialect as JavaScript `v`-mode class sources, tested one code point
 * at a time (a class has no quantifier, so the JS engine's cost per test is bounded): Rust's
 * Unicode `\d` `\w` `\s`, `\p{…}` names resolved loosely the way regex-syntax 0.8 resolves them, and
 * the POSIX `[:name:]` classes (ASCII).
 */
import { BOOLEAN_PROPERTIES, GENERAL_CATEGORIES, PROPERTY_NAMES, SCRIPTS } from './regex-names.ts'

/** UTS #18 word characters, as Rust's Unicode `\w` (and `\b`). */
export const UNICODE_WORD = '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]'
export const PERL: Record<'d' | 's' | 'w', { unicode: string; ascii: string }> = {
  d: { unicode: '\\p{Nd}', ascii: '[0-9]' },
  s: { unicode: '\\p{White_Space}', ascii: '[\\t\\n\\v\\f\\r ]' },
  w: { unicode: UNICODE_WORD, ascii: '[0-9A-Za-z_]' },
}

export const POSIX: Record<string, string> = {
  alnum: '[0-9A-Za-z]',
  alpha: '[A-Za-z]',
  ascii: '[\\x00-\\x7F]',
  blank: '[\\t ]',
  cntrl: '[\\x00-\\x1F\\x7F]',
  digit: '[0-9]',
  graph: '[!-~]',
  lower: '[a-z]',
  print: '[ -~]',
  punct: '[!-\\/:-@\\[-`\\{-~]',
  space: '[\\t\\n\\v\\f\\r ]',
  upper: '[A-Z]',
  word: '[0-9A-Za-z_]',
  xdigit: '[0-9A-Fa-f]',
}

const table = (packed: string): Map<string, string> =>
  new Map(packed.split(' ').map((w) => w.split(':') as [string, string]))
let tables: { props: Map<string, string>; gc: Map<string, string>; sc: Map<string, string> } | undefined
const lookup = () => {
  tables ??= { props: table(PROPERTY_NAMES), gc: table(GENERAL_CATEGORIES), sc: table(SCRIPTS) }
  return tables
}

/** UAX #44 LM3 as regex-syntax applies it: ASCII only, case, ' ', '_' and '-' ignored, an `is` prefix dropped. */
export function normalizeName(name: string): string {
  const starts = /^is/i.test(name)
  let out = ''
  for (const ch of starts ? name.slice(2) : name) {
    if (ch === ' ' || ch === '_' || ch === '-' || ch.charCodeAt(0) > 0x7f) continue
    out += ch.toLowerCase()
  }
  return starts && out === 'c' ? 'isc' : out
}

export type PropertyResult = { source: string } | { error: 'property' | 'value' | 'edge' }

const gencat = (norm: string): string | undefined => {
  if (norm === 'any') return '[\\u{0}-\\u{10FFFF}]'
  if (norm === 'assigned') return '\\p{Assigned}'
  if (norm === 'ascii') return '\\p{ASCII}'
  const canon = lookup().gc.get(norm)
  return canon === undefined ? undefined : `\\p{General_Category=${canon}}`
}
const script = (norm: string, key = 'Script'): string | undefined => {
  const canon = lookup().sc.get(norm)
  return canon === undefined ? undefined : `\\p{${key}=${canon}}`
}

const supported = new Map<string, boolean>()
/** Whether the JS engine knows the property (it lacks some regex-syntax has, e.g. Other_Alphabetic). */
function known(result: PropertyResult): PropertyResult {
  if (!('source' in result)) return result
  let yes = supported.get(result.source)
  if (yes === undefined) {
    try {
      new RegExp(result.source, 'v')
      yes = true
    } catch {
      yes = false
    }
    supported.set(result.source, yes)
  }
  return yes ? result : { error: 'edge' }
}

/** Resolves `\pX`, `\p{Name}` or `\p{name=value}` (also `name:value`, `name!=value`) to a JS class source. */
export function unicodeProperty(name: string, value?: string): PropertyResult {
  return known(resolve(name, value))
}

function resolve(name: string, value?: string): PropertyResult {
  if (value === undefined) {
    const norm = normalizeName(name)
    if (norm !== 'cf' && norm !== 'sc' && norm !== 'lc') {
      const prop = lookup().props.get(norm)
      if (prop !== undefined) {
        return BOOLEAN_PROPERTIES.has(prop) ? { source: `\\p{${prop}}` } : { error: 'property' }
      }
    }
    const found = gencat(norm) ?? script(norm)
    return found === undefined ? { error: 'property' } : { source: found }
  }
  const prop = lookup().props.get(normalizeName(name))
  const norm = normalizeName(value)
  if (prop === undefined) return { error: 'property' }
  let found: string | undefined
  if (prop === 'General_Category') found = gencat(norm)
  else if (prop === 'Script') found = script(norm)
  else if (prop === 'Script_Extensions') found = script(norm, 'Script_Extensions')
  else if (['Age', 'Grapheme_Cluster_Break', 'Sentence_Break', 'Word_Break'].includes(prop)) return { error: 'edge' }
  else return { error: 'value' }
  return found === undefined ? { error: 'value' } : { source: found }
}

/** `\u{…}`: a code point written so that no `v`-mode class syntax can misread it. */
export const hex = (cp: number): string => `\\u{${cp.toString(16)}}`

/** A compiled class: membership by code point, with the ASCII answers precomputed. */
export interface CharClass {
  has(cp: number): boolean
  /** Rough count of the code point ranges (for the compiled-size estimate), computed on demand. */
  ranges(): number
}

const rangeCounts = new Map<string, number>()

/** Compiles a `v`-mode class source (`[…]`, `\p{…}`) into a CharClass; throws when JS cannot. */
export function jsClass(source: string, caseless: boolean): CharClass {
  const re = new RegExp(`^${source}$`, caseless ? 'iv' : 'v')
  const ascii = new Uint8Array(128)
  for (let c = 0; c < 128; c++) ascii[c] = re.test(String.fromCharCode(c)) ? 1 : 0
  const key = `${caseless ? 'i' : ''}${source}`
  return {
    has: (cp) => (cp < 128 ? ascii[cp] === 1 : re.test(String.fromCodePoint(cp))),
    ranges() {
      let n = rangeCounts.get(key)
      if (n === undefined) {
        n = 0
        let inside = false
        // One pass over the code points, done only for patterns large enough to near Rust's size limit.
        for (let cp = 0; cp <= 0x10ffff; cp++) {
          const yes = cp < 128 ? ascii[cp] === 1 : re.test(String.fromCodePoint(cp))
          if (yes && !inside) n++
          inside = yes
        }
        rangeCounts.set(key, n)
      }
      return n
    },
  }
}

/** One code point. */
export const literalClass = (c: number): CharClass => ({ has: (cp) => cp === c, ranges: () => 1 })

/** `.`: any code point but `\n` (and `\r` in CRLF mode), or anything with `s`. */
export function dotClass(dotAll: boolean, crlf: boolean): CharClass {
  if (dotAll) return { has: () => true, ranges: () => 1 }
  if (crlf) return { has: (cp) => cp !== 10 && cp !== 13, ranges: () => 3 }
  return { has: (cp) => cp !== 10, ranges: () => 2 }
}
