/** Phone numbers, scoped to an account; Twilio credentials are sealed and never returned. */
import { accountPage, findOwned, getOwned } from "../../db/account-scope.ts";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { agents, phoneNumbers } from "../../db/schema/index.ts";
import { ApiError, invalidField } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { isE164 } from "../../lib/phone.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import type { PageQuery } from "../pagination.ts";
import type { PhoneNumber, PhoneNumberCreate, PhoneNumberUpdate } from "./model.ts";

export type PhoneNumberRow = typeof phoneNumbers.$inferSelect;

const mask = (last4: string | null) => (last4 ? `••••${last4}` : null);

export function phoneNumberJson(row: PhoneNumberRow): PhoneNumber {
  return {
    id: row.id,
    object: "phone_number",
    number: row.number,
    provider: row.provider,
    twilio_account_sid_masked: mask(row.twilioAccountSidLast4),
    twilio_auth_token_masked: mask(row.twilioAuthTokenLast4),
    has_twilio_credentials: row.twilioAccountSidSealed !== null && row.twilioAuthTokenSealed !== null,
    inbound_enabled: row.inboundEnabled,
    outbound_enabled: row.outboundEnabled,
    agent_id: row.agentId ?? null,
    label: row.label ?? null,
    created_at: new Date(row.createdAtMs).toISOString(),
    updated_at: new Date(row.updatedAtMs).toISOString(),
  };
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export class PhoneNumbersService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  find(accountId: string, id: string): PhoneNumberRow | null {
    return findOwned(this.db, phoneNumbers, accountId, id);
  }

  get(accountId: string, id: string): PhoneNumberRow {
    return getOwned(this.db, phoneNumbers, accountId, id, "phone_number");
  }

  list(accountId: string, q: PageQuery) {
    return accountPage(this.db, phoneNumbers, accountId, q, { noun: "phone number" });
  }

  /** Decrypted Twilio credentials of a number, or null when it has none. Never logged. */
  credentials(row: PhoneNumberRow): TwilioCredentials | null {
    if (!row.twilioAccountSidSealed || !row.twilioAuthTokenSealed) return null;
    return { accountSid: this.secrets.open(row.twilioAccountSidSealed), authToken: this.secrets.open(row.twilioAuthTokenSealed) };
  }

  create(accountId: string, body: PhoneNumberCreate): PhoneNumberRow {
    if (!isE164(body.number)) throw new ApiError("invalid_phone_format", 400, "number must be E.164, e.g. +14155550100", { field: "number" });
    if (body.agent_id) this.checkAgent(accountId, body.agent_id);
    const clash = this.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.accountId, accountId), eq(phoneNumbers.number, body.number))).get();
    if (clash) throw new ApiError("phone_number_exists", 409, `${body.number} is already registered`, { field: "number", id: clash.id });
    const now = this.now();
    return this.db
      .insert(phoneNumbers)
      .values({
        id: newId("pn"),
        accountId,
        number: body.number,
        provider: body.provider ?? "twilio",
        ...this.sealCredentials(body),
        inboundEnabled: body.inbound_enabled ?? true,
        outboundEnabled: body.outbound_enabled ?? true,
        agentId: body.agent_id ?? null,
        label: body.label ?? null,
        createdAtMs: now,
        updatedAtMs: now,
      })
      .returning()
      .get();
  }

  update(accountId: string, id: string, body: PhoneNumberUpdate): PhoneNumberRow {
    const existing = this.get(accountId, id);
    if (body.agent_id) this.checkAgent(accountId, body.agent_id);
    const set: Partial<typeof phoneNumbers.$inferInsert> = { updatedAtMs: this.now(), ...this.sealCredentials(body) };
    if (body.provider !== undefined) set.provider = body.provider;
    if (body.inbound_enabled !== undefined) set.inboundEnabled = body.inbound_enabled;
    if (body.outbound_enabled !== undefined) set.outboundEnabled = body.outbound_enabled;
    if (body.agent_id !== undefined) set.agentId = body.agent_id;
    if (body.label !== undefined) set.label = body.label;
    return this.db.transaction((tx) => {
      // A number that leaves an agent stops being that agent's primary number.
      if (body.agent_id !== undefined && existing.agentId && existing.agentId !== body.agent_id) {
        tx.update(agents).set({ primaryNumberId: null }).where(and(eq(agents.id, existing.agentId), eq(agents.primaryNumberId, id))).run();
      }
      return tx.update(phoneNumbers).set(set).where(eq(phoneNumbers.id, id)).returning().get()!;
    });
  }

  delete(accountId: string, id: string): void {
    this.get(accountId, id);
    this.db.transaction((tx) => {
      tx.update(agents).set({ primaryNumberId: null }).where(and(eq(agents.accountId, accountId), eq(agents.primaryNumberId, id))).run();
      tx.delete(phoneNumbers).where(eq(phoneNumbers.id, id)).run();
    });
  }

  private checkAgent(accountId: string, agentId: string): void {
    const agent = this.db.select({ id: agents.id }).from(agents).where(and(eq(agents.accountId, accountId), eq(agents.id, agentId))).get();
    if (!agent) throw invalidField("agent_id", "no such agent");
  }

  private sealCredentials(body: PhoneNumberUpdate) {
    const out: Partial<typeof phoneNumbers.$inferInsert> = {};
    if (body.twilio_account_sid !== undefined) {
      out.twilioAccountSidSealed = this.secrets.seal(body.twilio_account_sid);
      out.twilioAccountSidLast4 = body.twilio_account_sid.slice(-4);
    }
    if (body.twilio_auth_token !== undefined) {
      out.twilioAuthTokenSealed = this.secrets.seal(body.twilio_auth_token);
      out.twilioAuthTokenLast4 = body.twilio_auth_token.slice(-4);
    }
    return out;
  }
}
