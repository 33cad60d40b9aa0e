/**
 * Seeded pseudo-random numbers for the corpus generator (never Math.random: the same command
 * must produce byte-identical fixtures). sfc32 seeded through a string hash, so each fixture
 * draws from its own stream named after it and does not depend on which other fixtures ran.
 */

/** 32-bit FNV-1a hash of a string; used to turn a fixture name + seed into a stream seed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A deterministic random stream (sfc32). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seed from any string (e.g. `"${seed}/${fixtureName}"`). */
  constructor(seedText: string) {
    this.a = hash32(`a:${seedText}`);
    this.b = hash32(`b:${seedText}`);
    this.c = hash32(`c:${seedText}`);
    this.d = 1;
    for (let i = 0; i < 16; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform real in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal deviate (Box–Muller). */
  gauss(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A lowercase hex string of `chars` characters (for Twilio-looking sids). */
  hex(chars: number): string {
    let s = "";
    for (let i = 0; i < chars; i++) s += "0123456789abcdef"[Math.floor(this.next() * 16)];
    return s;
  }
}
