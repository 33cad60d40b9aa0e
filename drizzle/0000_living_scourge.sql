CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`balance_milli_cents` integer DEFAULT 0 NOT NULL,
	`price_per_minute_milli_cents` integer,
	`max_concurrent_calls` integer,
	`allowed_calling_codes` text,
	`created_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`mode` text NOT NULL,
	`name` text,
	`created_at_ms` integer NOT NULL,
	`revoked_at_ms` integer,
	`last_used_at_ms` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_account_idx` ON `api_keys` (`account_id`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount_milli_cents` integer NOT NULL,
	`call_id` text,
	`description` text,
	`created_at_ms` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ledger_account_idx` ON `ledger_entries` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `ledger_call_idx` ON `ledger_entries` (`call_id`);--> statement-breakpoint
CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`persona` text DEFAULT '' NOT NULL,
	`instructions` text DEFAULT '' NOT NULL,
	`initial_greeting` text DEFAULT '' NOT NULL,
	`voice` text DEFAULT '' NOT NULL,
	`language` text DEFAULT 'en' NOT NULL,
	`llm_model` text DEFAULT 'gpt-4o-mini' NOT NULL,
	`llm_temperature` real DEFAULT 0.7 NOT NULL,
	`returns` text,
	`tools` text DEFAULT '[]' NOT NULL,
	`voicemail_action` text DEFAULT 'hangup' NOT NULL,
	`voicemail_message` text DEFAULT '' NOT NULL,
	`webhook_url` text,
	`max_duration_seconds` integer DEFAULT 600 NOT NULL,
	`primary_number_id` text,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `agents_account_idx` ON `agents` (`account_id`,`id`);--> statement-breakpoint
CREATE TABLE `phone_numbers` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`number` text NOT NULL,
	`provider` text DEFAULT 'twilio' NOT NULL,
	`twilio_account_sid_sealed` text,
	`twilio_auth_token_sealed` text,
	`twilio_account_sid_last4` text,
	`twilio_auth_token_last4` text,
	`inbound_enabled` integer DEFAULT true NOT NULL,
	`outbound_enabled` integer DEFAULT true NOT NULL,
	`agent_id` text,
	`label` text,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `phone_numbers_account_idx` ON `phone_numbers` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `phone_numbers_agent_idx` ON `phone_numbers` (`agent_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `phone_numbers_account_number_uq` ON `phone_numbers` (`account_id`,`number`);