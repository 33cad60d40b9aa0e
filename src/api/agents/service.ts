/** Agents, scoped to an account. Another account's id is simply not found. */
import { accountPage, findOwned, getOwned } from "../../db/account-scope.ts";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { agents, phoneNumbers } from "../../db/schema/index.ts";
import { ApiError, invalidField } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { jsonSchemaProblem } from "../../lib/json-schema.ts";
import { isE164 } from "../../lib/phone.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import type { PageQuery } from "../pagination.ts";
import type { Agent, AgentCreate, AgentUpdate } from "./model.ts";

type AgentRow = typeof agents.$inferSelect;

export function agentJson(row: AgentRow): Agent {
  return {
    id: row.id,
    object: "agent",
    name: row.name,
    type: row.type,
    persona: row.persona,
    instructions: row.instructions,
    initial_greeting: row.initialGreeting,
    voice: row.voice,
    language: row.language,
    llm_model: row.llmModel,
    llm_temperature: row.llmTemperature,
    returns: row.returns ?? null,
    tools: row.tools,
    voicemail_action: row.voicemailAction,
    voicemail_message: row.voicemailMessage,
    webhook_url: row.webhookUrl ?? null,
    max_duration_seconds: row.maxDurationSeconds,
    greeting_mode: row.greetingMode,
    record_calls: row.recordCalls,
    primary_number_id: row.primaryNumberId ?? null,
    legacy_phone_number: row.legacyPhoneNumber ?? null,
    legacy_has_twilio_credentials: row.legacyTwilioAccountSidSealed !== null && row.legacyTwilioAuthTokenSealed !== null,
    created_at: new Date(row.createdAtMs).toISOString(),
    updated_at: new Date(row.updatedAtMs).toISOString(),
  };
}

export class AgentsService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  /** The row, or null; never another account's. */
  find(accountId: string, id: string): AgentRow | null {
    return findOwned(this.db, agents, accountId, id);
  }

  get(accountId: string, id: string): AgentRow {
    return getOwned(this.db, agents, accountId, id, "agent");
  }

  list(accountId: string, q: PageQuery) {
    return accountPage(this.db, agents, accountId, q, { noun: "agent" });
  }

  create(accountId: string, body: AgentCreate): AgentRow {
    this.check(accountId, body, null);
    const now = this.now();
    const row: typeof agents.$inferInsert = {
      id: newId("agent"),
      accountId,
      name: body.name,
      type: body.type,
      persona: body.persona,
      instructions: body.instructions,
      initialGreeting: body.initial_greeting,
      voice: body.voice,
      language: body.language,
      llmModel: body.llm_model,
      llmTemperature: body.llm_temperature,
      returns: body.returns ?? null,
      tools: body.tools,
      voicemailAction: body.voicemail_action,
      voicemailMessage: body.voicemail_message,
      webhookUrl: body.webhook_url ?? null,
      maxDurationSeconds: body.max_duration_seconds,
      greetingMode: body.greeting_mode,
      recordCalls: body.record_calls,
      primaryNumberId: body.primary_number_id ?? null,
      ...this.legacy(body),
      createdAtMs: now,
      updatedAtMs: now,
    };
    return this.db.insert(agents).values(row).returning().get();
  }

  update(accountId: string, id: string, body: AgentUpdate): AgentRow {
    const existing = this.get(accountId, id);
    this.check(accountId, body, existing.id);
    const set: Partial<typeof agents.$inferInsert> = { updatedAtMs: this.now(), ...this.legacy(body) };
    if (body.name !== undefined) set.name = body.name;
    if (body.type !== undefined) set.type = body.type;
    if (body.persona !== undefined) set.persona = body.persona;
    if (body.instructions !== undefined) set.instructions = body.instructions;
    if (body.initial_greeting !== undefined) set.initialGreeting = body.initial_greeting;
    if (body.voice !== undefined) set.voice = body.voice;
    if (body.language !== undefined) set.language = body.language;
    if (body.llm_model !== undefined) set.llmModel = body.llm_model;
    if (body.llm_temperature !== undefined) set.llmTemperature = body.llm_temperature;
    if (body.returns !== undefined) set.returns = body.returns;
    if (body.tools !== undefined) set.tools = body.tools;
    if (body.voicemail_action !== undefined) set.voicemailAction = body.voicemail_action;
    if (body.voicemail_message !== undefined) set.voicemailMessage = body.voicemail_message;
    if (body.webhook_url !== undefined) set.webhookUrl = body.webhook_url;
    if (body.max_duration_seconds !== undefined) set.maxDurationSeconds = body.max_duration_seconds;
    if (body.primary_number_id !== undefined) set.primaryNumberId = body.primary_number_id;
    if (body.greeting_mode !== undefined) set.greetingMode = body.greeting_mode;
    if (body.record_calls !== undefined) set.recordCalls = body.record_calls;
    return this.db.update(agents).set(set).where(eq(agents.id, id)).returning().get()!;
  }

  /** Deletes the agent; its numbers stay and are detached. */
  delete(accountId: string, id: string): void {
    this.get(accountId, id);
    this.db.transaction((tx) => {
      tx.update(phoneNumbers).set({ agentId: null, updatedAtMs: this.now() }).where(eq(phoneNumbers.agentId, id)).run();
      tx.delete(agents).where(eq(agents.id, id)).run();
    });
  }

  private legacy(body: AgentUpdate): Partial<typeof agents.$inferInsert> {
    const out: Partial<typeof agents.$inferInsert> = {};
    if (body.legacy_phone_number !== undefined) out.legacyPhoneNumber = body.legacy_phone_number;
    if (body.legacy_twilio_account_sid !== undefined) out.legacyTwilioAccountSidSealed = this.secrets.seal(body.legacy_twilio_account_sid);
    if (body.legacy_twilio_auth_token !== undefined) out.legacyTwilioAuthTokenSealed = this.secrets.seal(body.legacy_twilio_auth_token);
    return out;
  }

  private check(accountId: string, body: AgentUpdate, agentId: string | null): void {
    if (body.legacy_phone_number && !isE164(body.legacy_phone_number)) {
      throw new ApiError("invalid_phone_format", 400, "legacy_phone_number must be E.164", { field: "legacy_phone_number" });
    }
    if (body.returns) {
      const problem = jsonSchemaProblem(body.returns);
      if (problem) throw new ApiError("invalid_field", 400, `returns is not a valid JSON Schema: ${problem}`, { field: "returns" });
    }
    body.tools?.forEach((tool, i) => {
      const problem = jsonSchemaProblem(tool.parameters);
      if (problem) throw new ApiError("invalid_field", 400, `tools[${i}].parameters is not a valid JSON Schema: ${problem}`, { field: `tools[${i}].parameters` });
    });
    const names = new Set<string>();
    body.tools?.forEach((tool, i) => {
      if (names.has(tool.name) || tool.name === "end_call") throw invalidField(`tools[${i}].name`, `duplicate or reserved tool name ${tool.name}`);
      names.add(tool.name);
    });
    if (body.voicemail_action === "leave_message" && body.voicemail_message !== undefined && body.voicemail_message.trim() === "") {
      throw invalidField("voicemail_message", "required when voicemail_action is leave_message");
    }
    if (body.primary_number_id) {
      const pn = findOwned(this.db, phoneNumbers, accountId, body.primary_number_id);
      if (!pn) throw invalidField("primary_number_id", "no such phone number");
      if (pn.agentId !== null && pn.agentId !== agentId) throw invalidField("primary_number_id", "the number is attached to another agent");
    }
  }
}
