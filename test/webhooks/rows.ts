/** Minimal account and call rows written straight to a database, for tests without the API. */
import type { Db } from "../../src/db/client.ts";
import { accounts, calls } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import type { CallRow } from "../../src/services/call-events.ts";

export function insertAccount(db: Db, nowMs = Date.now()): string {
  const id = newId("acct");
  db.insert(accounts).values({ id, name: "t", createdAtMs: nowMs }).run();
  return id;
}

export function insertCall(db: Db, accountId: string, fields: Partial<CallRow> = {}, nowMs = Date.now()): CallRow {
  return db
    .insert(calls)
    .values({
      id: newId("call"),
      accountId,
      direction: "outbound",
      toNumber: "+447386172392",
      fromNumber: "+14155550100",
      status: "initiated",
      persona: "",
      instructions: "",
      systemPrompt: "",
      initialGreeting: "",
      context: {},
      variables: {},
      tools: [],
      voice: "",
      language: "en",
      llmModel: "m",
      llmTemperature: 0.5,
      voicemailAction: "hangup",
      voicemailMessage: "",
      maxDurationSeconds: 60,
      pricePerMinuteMilliCents: 0,
      reservedMilliCents: 0,
      reservationStatus: "reserved",
      metadata: {},
      streamTokenHash: "x",
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
      ...fields,
    })
    .returning()
    .get();
}
