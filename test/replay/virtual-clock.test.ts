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
