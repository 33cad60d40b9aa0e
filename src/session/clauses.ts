/**
 * Splits streamed LLM text into phrases for speech: the first phrase as soon as a clause is
 * complete (so the caller hears something early), later ones at sentence ends or, for long
 * runs, at commas. Pure and incremental.
 */

export interface ClauseOptions {
  /** Minimum characters before a comma may end the first phrase. */
  firstClauseMinChars: number;
  /** Minimum characters before a comma may end a later phrase. */
  clauseMinChars: number;
}

export const DEFAULT_CLAUSE_OPTIONS: Readonly<ClauseOptions> = Object.freeze({ firstClauseMinChars: 12, clauseMinChars: 60 });

const SENTENCE_END = /[.!?…]["')\]]?\s/;
const CLAUSE_END = /[,;:—–]\s/;

export class ClauseSplitter {
  private buf = "";
  private emitted = 0;
  private readonly opts: ClauseOptions;

  constructor(opts: Partial<ClauseOptions> = {}) {
    this.opts = { ...DEFAULT_CLAUSE_OPTIONS, ...opts };
  }

  /** Adds text; returns the phrases completed by it. */
  push(delta: string): string[] {
    this.buf += delta;
    const out: string[] = [];
    for (;;) {
      const cut = this.cutAt();
      if (cut < 0) break;
      const phrase = this.buf.slice(0, cut).trim();
      this.buf = this.buf.slice(cut);
      if (phrase) {
        out.push(phrase);
        this.emitted++;
      }
    }
    return out;
  }

  /** The rest, at the end of the stream. */
  flush(): string[] {
    const rest = this.buf.trim();
    this.buf = "";
    if (!rest) return [];
    this.emitted++;
    return [rest];
  }

  private cutAt(): number {
    const s = SENTENCE_END.exec(this.buf);
    const min = this.emitted === 0 ? this.opts.firstClauseMinChars : this.opts.clauseMinChars;
    const c = CLAUSE_END.exec(this.buf);
    const clause = c && c.index + 1 >= min ? c.index + 1 : -1;
    const sentence = s ? s.index + s[0].length - 1 : -1;
    if (sentence >= 0 && (clause < 0 || sentence <= clause)) return sentence;
    return clause;
  }
}
