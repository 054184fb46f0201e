/*
 * commands.c — the command table: the one list the CLI dispatches through, `help` prints, and
 * the TUI's ':' command line runs, and shell completion reads (names, and options and arguments
 * from each synopsis). A new command is a new file plus one line here.
 */
#include "cmd.h"
#include "tui.h"

#include <string.h>

extern const struct command cmd_init, cmd_demo, cmd_add, cmd_set, cmd_edit, cmd_rm, cmd_undelete,
	cmd_list, cmd_show, cmd_search, cmd_fields, cmd_field, cmd_import, cmd_config, cmd_help,
	cmd_clone, cmd_remote, cmd_sync, cmd_pull, cmd_push, cmd_status, cmd_log, cmd_diff,
	cmd_conflicts, cmd_resolve, cmd_restore, cmd_health, cmd_baseline,
	cmd_rules, cmd_alerts, cmd_ack, cmd_snooze, cmd_kpi, cmd_export, cmd_report, cmd_portal,
	cmd_process, cmd_template, cmd_gate, cmd_advance, cmd_approvals, cmd_approve, cmd_reject, cmd_withdraw,
	cmd_pipeline, cmd_won, cmd_pay, cmd_billing, cmd_bill, cmd_receivables, cmd_complete;

const struct command *const commands[] = {
	&cmd_init,   &cmd_demo,   &cmd_add,    &cmd_set,   &cmd_edit,   &cmd_rm,       &cmd_undelete, &cmd_list,
	&cmd_show,   &cmd_search, &cmd_fields, &cmd_field, &cmd_import, &cmd_config,
	&cmd_clone,  &cmd_remote, &cmd_sync,   &cmd_pull,  &cmd_push,   &cmd_status,   &cmd_log,
	&cmd_diff,   &cmd_conflicts, &cmd_resolve, &cmd_restore, &cmd_health, &cmd_baseline,
	&cmd_process, &cmd_template, &cmd_gate, &cmd_advance, &cmd_approvals, &cmd_approve, &cmd_reject,
	&cmd_withdraw,
	&cmd_pipeline, &cmd_won, &cmd_billing, &cmd_bill, &cmd_pay, &cmd_receivables,
	&cmd_rules,  &cmd_alerts, &cmd_ack,    &cmd_snooze, &cmd_kpi,    &cmd_export, &cmd_report, &cmd_portal, &cmd_tui,
	&cmd_help,   &cmd_complete,
	NULL,
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}
