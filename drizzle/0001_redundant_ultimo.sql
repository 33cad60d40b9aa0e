CREATE TABLE `calls` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`agent_id` text,
	`direction` text NOT NULL,
	`to_number` text NOT NULL,
	`from_number` text NOT NULL,
	`phone_number_id` text,
	`status` text NOT NULL,
	`persona` text NOT NULL,
	`instructions` text NOT NULL,
	`system_prompt` text NOT NULL,
	`initial_greeting` text NOT NULL,
	`context` text NOT NULL,
	`variables` text NOT NULL,
	`returns` text,
	`tools` text NOT NULL,
	`voice` text NOT NULL,
	`language` text NOT NULL,
	`llm_model` text NOT NULL,
	`llm_temperature` real NOT NULL,
	`voicemail_action` text NOT NULL,
	`voicemail_message` text NOT NULL,
	`max_duration_seconds` integer NOT NULL,
	`result` text,
	`summary` text,
	`extraction_status` text,
	`extraction_error` text,
	`answered_by` text,
	`hangup_reason` text,
	`webhook_url` text,
	`webhook_status` text,
	`webhook_error` text,
	`created_at_ms` integer NOT NULL,
	`ringing_at_ms` integer,
	`answered_at_ms` integer,
	`ended_at_ms` integer,
	`duration_seconds` integer,
	`billable_seconds` integer,
	`cost_milli_cents` integer,
	`price_per_minute_milli_cents` integer NOT NULL,
	`reserved_milli_cents` integer NOT NULL,
	`reservation_status` text NOT NULL,
	`provider_call_sid` text,
	`provider_error_code` text,
	`error_message` text,
	`metadata` text NOT NULL,
	`campaign_id` text,
	`stream_token_hash` text NOT NULL,
	`stream_started_at_ms` integer,
	`last_status_sequence` integer DEFAULT -1 NOT NULL,
	`dialect` text,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `calls_account_idx` ON `calls` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `calls_status_idx` ON `calls` (`status`);--> statement-breakpoint
CREATE INDEX `calls_sid_idx` ON `calls` (`provider_call_sid`);--> statement-breakpoint
CREATE INDEX `calls_phone_idx` ON `calls` (`phone_number_id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`account_id` text NOT NULL,
	`key` text NOT NULL,
	`route` text NOT NULL,
	`request_hash` text NOT NULL,
	`state` text NOT NULL,
	`response_status` integer,
	`response_body` text,
	`created_at_ms` integer NOT NULL,
	PRIMARY KEY(`account_id`, `route`, `key`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `agents` ADD `legacy_phone_number` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `legacy_twilio_account_sid_sealed` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `legacy_twilio_auth_token_sealed` text;