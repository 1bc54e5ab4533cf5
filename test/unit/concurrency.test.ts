import { describe, expect, it } from 'vitest'
import { mapConcurrent } from '../../src/concurrency.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('mapConcurrent', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0
    let most = 0
    const out = await mapConcurrent([5, 1, 4, 2, 3], 2, async (n) => {
      most = Math.max(most, ++running)
      await sleep(n)
      running--
      return n * 10
    })
    expect(out).toEqual([50, 10, 40, 20, 30])
    expect(most).toBe(2)
  })

  it('after a failure starts nothing new, lets what is in flight land, then throws the failure', async () => {
    const landed: number[] = []
    const started: number[] = []
    const run = mapConcurrent([1, 2, 3, 4, 5, 6], 3, async (n) => {
      started.push(n)
      if (n === 2) throw new Error('second failed')
      await sleep(20)
      landed.push(n)
      return n
    })
    await expect(run).rejects.toThrow('second failed')
    // 1 and 3 were in flight when 2 failed: both landed before the rejection; 4, 5, 6 never started.
    expect(landed.sort()).toEqual([1, 3])
    expect(started.sort()).toEqual([1, 2, 3])
  })
})
