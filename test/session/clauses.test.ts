import { describe, expect, test } from "bun:test";
import { ClauseSplitter } from "../../src/session/clauses.ts";

const split = (deltas: string[]) => {
  const s = new ClauseSplitter();
  const out: string[][] = deltas.map((d) => s.push(d));
  out.push(s.flush());
  return out;
};

describe("clause splitter", () => {
  test("the first phrase ends at the first clause; later ones at sentence ends", () => {
    expect(split(["Sure, ", "I can help with that. ", "What time ", "works, ", "for you? ", "Thanks"])).toEqual([
      [],
      ["Sure, I can help with that."],
      [],
      [],
      ["What time works, for you?"],
      [],
      ["Thanks"],
    ]);
  });

  test("a short first comma does not cut; a long later run cuts at a comma", () => {
    expect(split(["Hi, there, ", "friend. "])).toEqual([[], ["Hi, there, friend."], []]);
    const long = "I checked the calendar for next week and the afternoon slots, ";
    expect(split(["Okay. ", long, "are mostly free."])).toEqual([["Okay."], [long.trim()], [], ["are mostly free."]]);
  });

  test("tokens split mid-word never cut a word", () => {
    expect(split(["Hel", "lo the", "re. How", " are you?"])).toEqual([[], [], ["Hello there."], [], ["How are you?"]]);
  });
});
