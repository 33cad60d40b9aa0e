import { describe, expect, test } from "bun:test";
import { openDb } from "../../src/db/client.ts";
import { AccountsService } from "../../src/services/accounts.ts";

const fresh = () => new AccountsService(openDb({ path: ":memory:" }));

describe("first start", () => {
  test("with GATEWAY_BOOTSTRAP_KEY, the default account gets exactly that key", () => {
    const accounts = fresh();
    const key = "sk_live_Bootstrap0123456789abcdef";
    const res = accounts.bootstrap(key);
    expect(res?.generatedKey).toBeNull();
    expect(accounts.authenticate(key)?.accountId).toBe(res!.accountId);
    expect(accounts.bootstrap(key)).toBeNull();
    expect(accounts.accountCount()).toBe(1);
  });

  test("without it, a key is generated once and works", () => {
    const accounts = fresh();
    const res = accounts.bootstrap("");
    expect(res?.generatedKey).toMatch(/^sk_live_[A-Za-z0-9]{32}$/);
    expect(accounts.authenticate(res!.generatedKey!)?.accountId).toBe(res!.accountId);
    expect(accounts.bootstrap("")).toBeNull();
  });
});

describe("credits", () => {
  test("each credit is a ledger row and the balance is their sum", () => {
    const accounts = fresh();
    const { id } = accounts.createAccount("x");
    accounts.addCredits(id, 1000);
    expect(accounts.addCredits(id, 2500)).toEqual({ balanceMilliCents: 3500 });
    expect(accounts.getAccount(id)?.balanceMilliCents).toBe(3500);
  });

  test("rejects non-positive or fractional amounts and unknown accounts", () => {
    const accounts = fresh();
    const { id } = accounts.createAccount("x");
    for (const bad of [0, -5, 1.5, Number.NaN]) expect(() => accounts.addCredits(id, bad)).toThrow(/positive integer/);
    expect(() => accounts.addCredits("acct_nope", 10)).toThrow(/No account/);
  });
});
