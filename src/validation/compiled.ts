import type { z } from 'zod'
import { INVALID, util, withParser } from 'zod/v4/core'
import { PARSERS } from './parsers.gen.ts'

/**
 * zod's compiled parsers, in a runtime without eval. zod 4 compiles a schema into straight-line
 * code with `new Function`, which Workers forbid, so in workerd every parse walks the schema: a
 * 100-row Torc page took 0.3 ms to check there, three times the compiled parser. The compiler's
 * output does not depend on the input, so scripts/gen-parsers.ts runs it in Node over every
 * schema given to compiled() and commits the code (parsers.gen.ts, `npm run gen`, checked by
 * test/unit/generated.test.ts). Here it is installed with zod's `withParser`, whose clone answers
 * from the generated parser and hands any input the parser rejects to the schema's own parse, so
 * every error is still zod's. A schema without a generated parser keeps zod's runtime parse.
 */

/** What generated parsers may refer to besides their own literals (see scripts/gen-parsers.ts). */
export const PARSER_REFS = {
  INVALID,
  isPlainObject: util.isPlainObject,
  shallowClone: util.shallowClone,
  codePointLength: util.codePointLength,
  floatSafeRemainder: util.floatSafeRemainder,
  propertyIsEnumerable: Object.prototype.propertyIsEnumerable,
} as const

export type ParserRefs = typeof PARSER_REFS
export type GeneratedParser = (refs: ParserRefs) => (input: unknown) => unknown

/** Every key given to compiled(): the schema as given (what scripts/gen-parsers.ts compiles) and as used. */
export const compiledSchemas = new Map<string, { given: z.ZodType; used: z.ZodType }>()

/**
 * `schema`, answering from its generated parser when there is one. `key` names it in
 * parsers.gen.ts; a key belongs to the first schema registered under it, and a later schema under
 * the same key (a test defining a tool twice) keeps the runtime parse.
 */
export function compiled<S extends z.ZodType>(key: string, schema: S): S {
  if (compiledSchemas.has(key)) return schema
  const make = (PARSERS as Record<string, GeneratedParser | undefined>)[key]
  const used = make ? withParser(schema, make(PARSER_REFS) as (input: unknown) => z.output<S>) : schema
  compiledSchemas.set(key, { given: schema, used })
  return used
}
