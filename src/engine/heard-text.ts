/**
 * Which words of a phrase the caller heard when its playback was cut after `playedMs`.
 * With word timing (TTS alignment) a word counts as heard once it has fully played; without it,
 * the played share of the audio is mapped onto the text by characters (speech rate is close to
 * uniform over characters), counting a word once the share reaches its last character.
 */
import type { PhraseWord } from "./types.ts";

/** Heard prefix of `text`, given `playedMs` of a phrase lasting `durationMs`. */
export function heardText(
  text: string,
  playedMs: number,
  durationMs: number,
  words?: readonly PhraseWord[],
): string {
  if (playedMs <= 0 || text.length === 0) return "";
  if (playedMs >= durationMs) return text;
  if (words && words.length > 0) {
    const heard: string[] = [];
    for (const w of words) if (w.endMs <= playedMs) heard.push(w.word);
    return heard.join(" ");
  }
  const limit = (playedMs / durationMs) * text.length;
  let end = 0;
  const re = /\S+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const wordEnd = m.index + m[0].length;
    if (wordEnd > limit) break;
    end = wordEnd;
  }
  return text.slice(0, end);
}
