/**
 * Every user regex of a spec (`*_regexes`, action `job_name_regexes`) is compiled here, with Rust
 * regex-crate semantics and a linear-time matcher: Torc compiles them with Rust's `regex` crate,
 * which cannot backtrack, and neither may we (a JS RegExp on `(a+)+$` takes seconds per name and
 * freezes the Worker). Parsing (regex-parse.ts) accepts and refuses what Rust does, with Rust's
 * error text; matching (regex-dfa.ts) is a lazily built DFA over a Thompson NFA (regex-nfa.ts).
 * Deviations from Rust are listed in README.md ("Regexes").
 */
import { LazyDfa } from './regex-dfa.ts'
import { RegexSyntaxError } from './regex-error.ts'
import { buildNfa } from './regex-nfa.ts'
import { Parser } from './regex-parse.ts'

export { RegexSyntaxError } from './regex-error.ts'

/** A compiled pattern: `test` says whether it matches anywhere in the text (Rust's `is_match`). */
export interface CompiledRegex {
  readonly source: string
  test(text: string): boolean
}

// Each entry holds its DFA cache (at most 512 states of 512 bytes), so the memo stays small.
const cache = new Map<string, CompiledRegex | RegexSyntaxError>()
const CACHE_LIMIT = 64

function compile(pattern: string): CompiledRegex {
  const dfa = new LazyDfa(buildNfa(new Parser(pattern).parse()))
  return { source: pattern, test: (text) => dfa.test(text) }
}

/** Compiles a Rust-dialect regex, memoised; throws RegexSyntaxError for patterns Rust rejects. */
export function compileRegex(pattern: string): CompiledRegex {
  let hit = cache.get(pattern)
  if (hit === undefined) {
    try {
      hit = compile(pattern)
    } catch (error) {
      // Anything else would be our bug; still an answer about this pattern, not a failed request.
      hit =
        error instanceof RegexSyntaxError ? error : new RegexSyntaxError(`regex not supported at the edge: ${error}`)
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
    cache.set(pattern, hit)
  }
  if (hit instanceof RegexSyntaxError) throw hit
  return hit
}

/** Returns the error text for an invalid pattern, or undefined when it compiles. */
export function regexError(pattern: string): string | undefined {
  try {
    compileRegex(pattern)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
