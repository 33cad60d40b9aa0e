/** What the API needs from the composition root. Services are built once and shared. */
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../lib/logger.ts";
import type { SecretBox } from "../lib/secret-box.ts";
import type { AccountsService } from "../services/accounts.ts";

export interface ApiDeps {
  config: Config;
  db: Db;
  log: Logger;
  secrets: SecretBox;
  accounts: AccountsService;
  now: () => number;
}
