/**
 * Transcript cues of an answering machine: phrases people do not say when they pick up the
 * phone, but greetings and carrier messages do.
 */

/** Phrases (lower case, apostrophes removed) that mark a recorded greeting. */
export const MACHINE_PHRASES: readonly string[] = Object.freeze([
  "leave a message",
  "leave your message",
  "leave me a message",
  "leave your name",
  "record your message",
  "after the tone",
  "after the beep",
  "at the tone",
  "at the beep",
  "not available",
  "unavailable",
  "voicemail",
  "voice mail",
  "mailbox",
  "cant come to the phone",
  "cannot come to the phone",
  "cant take your call",
  "cannot take your call",
  "unable to take your call",
  "unable to answer",
  "youve reached",
  "you have reached",
  "you are trying to reach",
  "youre trying to reach",
  "the party you are trying to reach",
  "sorry i missed you",
  "sorry we missed you",
  "missed your call",
  "is currently closed",
  "office is closed",
  "our office hours",
  "get back to you",
  "return your call",
  "the number you have dialed",
  "the number you dialed",
  "is not in service",
  "no longer in service",
  "please hang up",
  "the person at extension",
  "the party you are calling",
  "is on the phone",
  "away from",
  "press one",
]);

/** Normalise text for matching: lower case, no apostrophes or punctuation, single spaces. */
export function normalizeTranscript(text: string): string {
  return text
    .toLowerCase()
    .replace(/['\u2019]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** The first machine phrase contained in `text`, or null. */
export function findMachineCue(text: string): string | null {
  const t = ` ${normalizeTranscript(text)} `;
  for (const p of MACHINE_PHRASES) if (t.includes(` ${p} `)) return p;
  return null;
}
