CREATE TABLE `call_turns` (
	`id` text PRIMARY KEY NOT NULL,
	`call_id` text NOT NULL,
	`seq` integer NOT NULL,
	`role` text NOT NULL,
	`text` text NOT NULL,
	`heard_text` text,
	`interrupted` integer DEFAULT false NOT NULL,
	`start_ms` integer,
	`end_ms` integer,
	`latency` text,
	`created_at_ms` integer NOT NULL,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `call_turns_call_seq_uq` ON `call_turns` (`call_id`,`seq`);--> statement-breakpoint
CREATE INDEX `call_turns_call_idx` ON `call_turns` (`call_id`);--> statement-breakpoint
ALTER TABLE `calls` ADD `latency` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `recording_path` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `fixture_path` text;