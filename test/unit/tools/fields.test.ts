import { describe, expect, it } from 'vitest'
import { fitItems } from '../../../src/tools/fields.ts'

/** The rule fitItems keeps: the longest prefix whose items' JSON, one separator each, stays within budget. */
function reference<T>(items: readonly T[], budget: number): T[] {
  let size = 0
  let kept = 0
  for (const item of items) {
    size += JSON.stringify(item).length + 1
    if (size > budget && kept > 0) break
    kept++
  }
  return items.slice(0, kept)
}

describe('fitItems (src/tools/fields.ts)', () => {
  const items = Array.from({ length: 40 }, (_, i) => ({ id: i, name: `job_${'x'.repeat(i % 7)}`, n: i * 1.5 }))
  const whole = JSON.stringify(items).length

  it('keeps the same prefix as the item-by-item rule at every budget around the whole size', () => {
    for (let budget = whole - 60; budget <= whole + 3; budget++) {
      expect(fitItems(items, budget), `budget ${budget}`).toEqual(reference(items, budget))
    }
    expect(fitItems(items, whole + 1)).toHaveLength(40)
    expect(fitItems(items, whole - 2).length).toBeLessThan(40)
  })

  it('keeps at least one item, and nothing of an empty list', () => {
    expect(fitItems(items, 1)).toEqual([items[0]])
    expect(fitItems([], 0)).toEqual([])
  })

  it('returns a copy, never the list it was given', () => {
    const kept = fitItems(items, whole * 2)
    expect(kept).toEqual(items)
    expect(kept).not.toBe(items)
  })
})
