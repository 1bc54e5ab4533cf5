/**
 * "Does it match anywhere": the NFA run as a lazily built DFA (subset construction on demand, one
 * step per code point), so a test costs O(text × pattern) at worst and no pattern can backtrack.
 * A DFA state is the set of NFA states reached plus what the previous character was (start, `\n`,
 * `\r`, word character), which is all the assertions look at besides the next character. States
 * are cached per regex up to MAX_STATES, then the cache starts over (work stays linear; memory stays
 * bounded).
 */
import { ASSERT, type Nfa, SPLIT, CHAR as STEP } from './regex-nfa.ts'
import { jsClass, UNICODE_WORD } from './regex-unicode.ts'

const MAX_STATES = 512
const UNKNOWN = -1
const MATCHED = -2

// Context bits of a character (or of the text's edge).
const EDGE = 1
const LF = 2
const CR = 4
const WORD_U = 8
const WORD_A = 16

let unicodeWord: ReturnType<typeof jsClass> | undefined
const ASCII_CONTEXT = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const word = /[0-9A-Za-z_]/.test(String.fromCharCode(c)) ? WORD_U | WORD_A : 0
  ASCII_CONTEXT[c] = word | (c === 10 ? LF : 0) | (c === 13 ? CR : 0)
}

function holds(code: number, prev: number, next: number): boolean {
  const w = code >= 16 ? WORD_A : WORD_U
  const pw = (prev & w) !== 0
  const nw = (next & w) !== 0
  switch (code & 15) {
    case 0:
      return (prev & EDGE) !== 0
    case 1:
      return (next & EDGE) !== 0
    case 2:
      return (prev & (EDGE | LF)) !== 0
    case 3:
      return (next & (EDGE | LF)) !== 0
    case 4:
      return (prev & (EDGE | LF)) !== 0 || ((prev & CR) !== 0 && (next & LF) === 0)
    case 5:
      return (next & (EDGE | CR)) !== 0 || ((next & LF) !== 0 && (prev & CR) === 0)
    case 6:
      return pw !== nw
    case 7:
      return pw === nw
    case 8:
      return !pw && nw
    case 9:
      return pw && !nw
    case 10:
      return !pw
    default:
      return !nw
  }
}

export class LazyDfa {
  private cores: Int32Array[] = []
  private prevs: number[] = []
  private ascii = new Int32Array(0)
  private wide = new Map<number, number>()
  private atEnd: number[] = []
  private index = new Map<string, number>()
  private resets = 0
  private readonly mark: Int32Array
  private stamp = 0
  private readonly stack: number[] = []
  /** The CHAR states of the last closure. */
  private readonly chars: number[] = []

  private readonly nfa: Nfa

  constructor(nfa: Nfa) {
    this.nfa = nfa
    this.mark = new Int32Array(nfa.op.length)
  }

  test(text: string): boolean {
    let s = this.startState()
    for (let k = 0; k < text.length; k++) {
      let cp = text.charCodeAt(k)
      if (cp >= 0xd800 && cp < 0xdc00 && k + 1 < text.length) {
        const low = text.charCodeAt(k + 1)
        if (low >= 0xdc00 && low < 0xe000) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00)
          k++
        }
      }
      let t = cp < 128 ? (this.ascii[s * 128 + cp] as number) : (this.wide.get(s * 0x110000 + cp) ?? UNKNOWN)
      if (t === UNKNOWN) t = this.step(s, cp)
      if (t === MATCHED) return true
      s = t
    }
    let end = this.atEnd[s] as number
    if (end === UNKNOWN) {
      end = this.closure(s, EDGE) ? 1 : 0
      this.atEnd[s] = end
    }
    return end === 1
  }

  private context(cp: number): number {
    if (cp < 128) return ASCII_CONTEXT[cp] as number
    if (!this.nfa.unicodeWord) return 0
    unicodeWord ??= jsClass(UNICODE_WORD, false)
    return unicodeWord.has(cp) ? WORD_U : 0
  }

  private startState(): number {
    return this.intern([this.nfa.start], EDGE)
  }

  /** Marks the epsilon closure of state `s` before a character of context `next`; true when it reaches MATCH. */
  private closure(s: number, next: number): boolean {
    const { op, out, out2, assertion } = this.nfa
    const prev = this.prevs[s] as number
    const mark = this.mark
    const stack = this.stack
    const stamp = ++this.stamp
    const chars = this.chars
    chars.length = 0
    stack.length = 0
    for (const n of this.cores[s] as Int32Array) stack.push(n)
    while (stack.length > 0) {
      const n = stack.pop() as number
      if (mark[n] === stamp) continue
      mark[n] = stamp
      const kind = op[n] as number
      if (kind === STEP) chars.push(n)
      else if (kind === SPLIT) {
        stack.push(out2[n] as number, out[n] as number)
      } else if (kind === ASSERT) {
        if (holds(assertion[n] as number, prev, next)) stack.push(out[n] as number)
      } else return true
    }
    return false
  }

  private step(s: number, cp: number): number {
    const next = this.context(cp)
    if (this.closure(s, next)) return this.remember(s, cp, MATCHED, this.resets)
    const { out, cls } = this.nfa
    const targets: number[] = [this.nfa.start]
    for (const n of this.chars) if (cls[n]?.has(cp)) targets.push(out[n] as number)
    const resets = this.resets
    const t = this.intern(targets, next)
    return this.remember(s, cp, t, resets)
  }

  private remember(s: number, cp: number, t: number, resets: number): number {
    if (resets !== this.resets) return t
    if (cp < 128) this.ascii[s * 128 + cp] = t
    else this.wide.set(s * 0x110000 + cp, t)
    return t
  }

  private intern(targets: number[], prev: number): number {
    const core = Int32Array.from(new Set(targets)).sort()
    const key = `${prev}:${core.join(',')}`
    const known = this.index.get(key)
    if (known !== undefined) return known
    if (this.cores.length >= MAX_STATES) this.reset()
    const id = this.cores.length
    this.cores.push(core)
    this.prevs.push(prev)
    this.atEnd.push(UNKNOWN)
    this.index.set(key, id)
    if (this.ascii.length < (id + 1) * 128) {
      const grown = new Int32Array(Math.max(128, this.ascii.length * 2)).fill(UNKNOWN)
      grown.set(this.ascii)
      this.ascii = grown
    }
    return id
  }

  private reset(): void {
    this.cores = []
    this.prevs = []
    this.atEnd = []
    this.ascii = new Int32Array(0)
    this.wide = new Map()
    this.index = new Map()
    this.resets++
  }
}
