import { expect, test } from "bun:test";
import { VirtualClock } from "../../src/replay/virtual-clock.ts";

test("callbacks run in time order, ties in scheduling order, cancelled ones never", () => {
  const c = new VirtualClock();
  const log: string[] = [];
  c.at(30, () => log.push(`a@${c.nowMs}`));
  c.at(10, () => {
    log.push(`b@${c.nowMs}`);
    c.after(20, () => log.push(`c@${c.nowMs}`)); // lands at 30, after "a"
    c.at(5, () => log.push(`d@${c.nowMs}`)); // the past: runs now
  });
  const t = c.at(20, () => log.push("never"));
  c.at(10, () => log.push(`e@${c.nowMs}`));
  t.cancel();
  c.run();
  expect(log).toEqual(["b@10", "e@10", "d@10", "a@30", "c@30"]);
});

test("advanceTo runs what is due strictly before, then an outside item comes first at its time", () => {
  const c = new VirtualClock();
  const log: string[] = [];
  c.at(10, () => log.push(`a@${c.nowMs}`));
  c.at(20, () => log.push(`b@${c.nowMs}`));
  c.at(25, () => log.push("cancelled")).cancel();
  c.advanceTo(20);
  log.push(`line@${c.nowMs}`);
  c.after(0, () => log.push(`c@${c.nowMs}`));
  c.advanceTo(20);
  log.push(`line2@${c.nowMs}`);
  c.advanceTo(5); // never back
  log.push(`now@${c.nowMs}`);
  c.run();
  expect(log).toEqual(["a@10", "line@20", "line2@20", "now@20", "b@20", "c@20"]);
});
