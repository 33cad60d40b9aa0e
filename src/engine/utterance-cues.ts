/**
 * Text cues about the caller's words, for turn-taking:
 * - how finished the transcript sounds at its end (a finished sentence ends a turn quickly; a
 *   trailing "um", "and", "so", a comma or a phone number read digit by digit asks for patience);
 * - whether an utterance is only a backchannel ("mhm", "uh-huh", "yeah", "okay", "right"), which
 *   acknowledges the agent rather than interrupting it.
 */

/** How a transcript ends. */
export type TailKind =
  /** Ends with sentence punctuation (. ? !): a finished sentence. */
  | "complete"
  /** Ends on an ordinary word, no punctuation (an interim result): probably finished. */
  | "open"
  /** Ends on a filler, conjunction, preposition, article or a comma: more is coming. */
  | "incomplete"
  /**
   * Ends inside a run of digits (a number being read out): more is coming, with pauses. A run
   * that already makes a whole phone number (see `COMPLETE_NUMBER_DIGITS`) and ends a sentence is
   * `complete` instead.
   */
  | "digits"
  /** No words yet. */
  | "empty";

const CONTINUATION = new Set(
  (
    "um umm uh uhh er erm ah eh like so and but or because cause then the a an to of with for " +
    "in on at from my your our their his her its is are was were be been am i i'm we're you're " +
    "they're which who whose if when while as than about into onto between also plus " +
    "basically let's can could would should will just very nor whether"
  ).split(" "),
);

const DIGIT_WORDS = new Set(
  "zero oh one two three four five six seven eight nine ten double triple hundred thousand".split(" "),
);

const BACKCHANNEL = new Set(
  (
    "mhm mm mmm hmm hm uh-huh uhhuh uh huh mm-hmm mmhmm yeah yes yep yup ok okay right sure alright " +
    "all got it i see cool great fine good"
  ).split(" "),
);

/** Lower-case words without punctuation (apostrophes and inner hyphens kept). */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}'-]+/gu)) {
    const w = m[0].replace(/^[-']+|[-']+$/g, "");
    if (w) out.push(w);
  }
  return out;
}

function isDigitToken(w: string): boolean {
  return /^\d+$/.test(w) || DIGIT_WORDS.has(w);
}

/** Single digits spoken as words ("oh" is zero). */
const DIGIT_VALUE = new Set("zero oh one two three four five six seven eight nine".split(" "));

/**
 * Digit counts of a whole phone number read out: 10 (a North American number: area code,
 * exchange, line) or 11 beginning with 1 (the same with its country code). A caller reading one
 * stops there; fewer digits, or more (a card or account number read in groups), may go on.
 */
const COMPLETE_NUMBER_DIGITS = 10;

/**
 * Digits in the run of number words at the end of `ws` ("double five" is two, "555" three), and
 * whether it begins with a 1; null when the run holds words that are not single digits
 * ("hundred", "ten"), which read an amount, not a number digit by digit.
 */
function trailingDigits(ws: readonly string[]): { count: number; leadingOne: boolean } | null {
  let count = 0;
  let first = "";
  for (let i = ws.length - 1; i >= 0; i--) {
    const w = ws[i]!.replace(/-/g, "");
    if (/^\d+$/.test(w)) {
      count += w.length;
      first = w[0]!;
    } else if (DIGIT_VALUE.has(w)) {
      count += 1;
      first = w;
    } else if (w === "double" || w === "triple") {
      // "double five": the five after it was counted once already.
      count += w === "double" ? 1 : 2;
    } else if (DIGIT_WORDS.has(w)) return null;
    else break;
  }
  return { count, leadingOne: first === "1" || first === "one" };
}

/** Classify the end of a transcript. */
export function tailKind(text: string): TailKind {
  const trimmed = text.trimEnd();
  const ws = words(trimmed);
  const last = ws[ws.length - 1];
  if (last === undefined) return "empty";
  const lastChar = trimmed[trimmed.length - 1]!;
  // A number read out: the last two tokens are digits (or a digit group like "555-").
  const prev = ws[ws.length - 2];
  const digitRun = isDigitToken(last.replace(/-/g, "")) && (prev === undefined || isDigitToken(prev.replace(/-/g, "")));
  if (digitRun && lastChar !== "?" && lastChar !== "!") {
    // A whole phone number, closed by the recogniser's full stop: nothing more is coming.
    const run = lastChar === "." ? trailingDigits(ws) : null;
    if (run && (run.count === COMPLETE_NUMBER_DIGITS || (run.count === COMPLETE_NUMBER_DIGITS + 1 && run.leadingOne))) {
      return "complete";
    }
    return "digits";
  }
  if (lastChar === "," || lastChar === "-" || lastChar === ";" || lastChar === ":") return "incomplete";
  if (lastChar === "?" || lastChar === "!") return "complete";
  // A final period after "and"/"the"/"um" is the recogniser closing a segment, not a sentence.
  if (CONTINUATION.has(last)) return "incomplete";
  if (lastChar === ".") return "complete";
  return "open";
}

/** True when every word is a backchannel token (and there is at least one, at most four). */
export function isBackchannel(text: string): boolean {
  const ws = words(text);
  if (ws.length === 0 || ws.length > 4) return false;
  return ws.every((w) => BACKCHANNEL.has(w));
}

/** Same words, ignoring case and punctuation? */
export function sameWords(a: string, b: string): boolean {
  const x = words(a);
  const y = words(b);
  return x.length === y.length && x.every((w, i) => w === y[i]);
}
