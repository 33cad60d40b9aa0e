/**
 * Admin CLI: `bun run gateway <command>`.
 *   account create <name>                 create an account and its first key
 *   account list
 *   key create <account_id> [--test] [--name N]
 *   key list <account_id>
 *   key revoke <key_id | sk_…>
 *   credits add <account_id> <milli_cents>
 *   account limits <account_id> [--max-concurrent N] [--price-per-minute MILLI_CENTS] [--calling-codes 1,44|*|default]
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config.ts";
import { openDb } from "./db/client.ts";
import { ApiError } from "./lib/errors.ts";
import { AccountsService } from "./services/accounts.ts";

const USAGE = `usage: bun run gateway <command>
  account create <name>
  account list
  key create <account_id> [--test] [--name <name>]
  key list <account_id>
  key revoke <key_id | sk_…>
  credits add <account_id> <milli_cents>
  account limits <account_id> [--max-concurrent N] [--price-per-minute MILLI_CENTS] [--calling-codes 1,44|*|default]`;

export function runCli(argv: string[], env: Record<string, string | undefined>, out: (line: string) => void): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        test: { type: "boolean", default: false },
        name: { type: "string" },
        "max-concurrent": { type: "string" },
        "price-per-minute": { type: "string" },
        "calling-codes": { type: "string" },
      },
    });
  } catch (e) {
    out(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [group, action, ...rest] = positionals;
  const config = loadConfig(env);
  const db = openDb({ path: config.DATABASE_PATH });
  const accounts = new AccountsService(db);
  try {
    switch (`${group} ${action}`) {
      case "account create": {
        const name = rest.join(" ").trim() || "account";
        const acct = accounts.createAccount(name);
        const key = accounts.createKey(acct.id, { name: "first key" });
        out(JSON.stringify({ account_id: acct.id, name, key_id: key.id }));
        out(`API key (shown once): ${key.key}`);
        return 0;
      }
      case "account limits": {
        const limits = accounts.setLimits(rest[0] ?? "", {
          maxConcurrentCalls: values["max-concurrent"],
          pricePerMinuteMilliCents: values["price-per-minute"],
          allowedCallingCodes: values["calling-codes"],
        });
        out(JSON.stringify(limits));
        return 0;
      }
      case "account list":
        for (const a of accounts.listAccounts()) out(JSON.stringify({ id: a.id, name: a.name, balance_milli_cents: a.balanceMilliCents }));
        return 0;
      case "key create": {
        const key = accounts.createKey(rest[0] ?? "", { mode: values.test ? "test" : "live", name: values.name });
        out(JSON.stringify({ key_id: key.id, account_id: key.accountId, prefix: key.prefix }));
        out(`API key (shown once): ${key.key}`);
        return 0;
      }
      case "key list":
        for (const k of accounts.listKeys(rest[0] ?? "")) out(JSON.stringify(k));
        return 0;
      case "key revoke": {
        const ok = accounts.revokeKey(rest[0] ?? "");
        out(ok ? "revoked" : "no active key matched");
        return ok ? 0 : 1;
      }
      case "credits add": {
        const amount = Number(rest[1]);
        const { balanceMilliCents } = accounts.addCredits(rest[0] ?? "", amount, "admin CLI");
        out(JSON.stringify({ account_id: rest[0], balance_milli_cents: balanceMilliCents }));
        return 0;
      }
      default:
        out(USAGE);
        return 2;
    }
  } catch (e) {
    if (e instanceof ApiError) {
      out(`error: ${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    db.$client.close();
  }
}

if (import.meta.main) {
  try {
    process.exit(runCli(process.argv.slice(2), process.env, (l) => console.log(l)));
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}
