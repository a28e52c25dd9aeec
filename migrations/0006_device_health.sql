ALTER TABLE `devices` ADD `status_reason` text;--> statement-breakpoint
ALTER TABLE `devices` ADD `last_error` text;--> statement-breakpoint
ALTER TABLE `devices` ADD `linked_at` integer;--> statement-breakpoint
ALTER TABLE `devices` ADD `last_seen_at` integer;