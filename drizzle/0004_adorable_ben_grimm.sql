ALTER TABLE `agents` ADD `greeting_mode` text DEFAULT 'after_verdict' NOT NULL;--> statement-breakpoint
ALTER TABLE `agents` ADD `record_calls` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `calls` ADD `greeting_mode` text DEFAULT 'after_verdict' NOT NULL;--> statement-breakpoint
ALTER TABLE `calls` ADD `record_call` integer DEFAULT false NOT NULL;