import { describe, expect, test } from "bun:test";
import { EchoMonitor } from "../../src/engine/echo.ts";

/** A deterministic, non-periodic outbound level per frame. */
const level = (f: number): number => 200 + 150 * Math.sin(f * 0.7) + 80 * Math.sin(f * 0.13);

describe("EchoMonitor", () => {
  test("a whole reply scheduled far ahead (no pacing) is kept: echo found at its delay", () => {
    const e = new EchoMonitor();
    // 40 s of agent audio scheduled at once, before any of it plays.
    for (let f = 0; f < 2000; f++) e.outbound(f, level(f));
    const rows: [number, boolean, number][] = [];
    for (const at of [100, 1000, 1990]) {
      for (let f = at - 40; f <= at; f++) e.inbound(f, 10 + 0.3 * level(f - 5));
      const c = e.correlation(at);
      rows.push([at, c.echo, c.delayMs]);
    }
    expect(rows).toEqual([
      [100, true, 100],
      [1000, true, 100],
      [1990, true, 100],
    ]);
  });

  test("paced scheduling and one-shot scheduling give the same correlations", () => {
    const paced = new EchoMonitor();
    const bulk = new EchoMonitor();
    for (let f = 0; f < 600; f++) bulk.outbound(f, level(f));
    const got: [number, number][] = [];
    const want: [number, number][] = [];
    for (let f = 0; f < 600; f++) {
      paced.outbound(f + 5 < 600 ? f + 5 : f, level(f + 5 < 600 ? f + 5 : f));
      if (f < 5) paced.outbound(f, level(f));
      const inLevel = 10 + 0.3 * level(f - 3) + (f % 97 === 0 ? 500 : 0);
      paced.inbound(f, inLevel);
      bulk.inbound(f, inLevel);
      if (f >= 40 && f % 20 === 0) {
        got.push([paced.correlation(f).correlation, paced.correlation(f).delayMs]);
        want.push([bulk.correlation(f).correlation, bulk.correlation(f).delayMs]);
      }
    }
    expect(got).toEqual(want);
  });

  test("unscheduled frames no longer count as played", () => {
    const e = new EchoMonitor();
    for (let f = 0; f < 200; f++) e.outbound(f, level(f));
    e.unscheduled(50);
    for (let f = 40; f < 90; f++) e.inbound(f, 10 + 0.3 * level(f - 2));
    expect(e.correlation(89).echo).toBe(false);
  });
});
