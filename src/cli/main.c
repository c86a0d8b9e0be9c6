/*
 * main.c - entry point: find the subcommand in a static table and run it.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct bl_command commands[] = {
	{"assess", bl_cmd_assess, "assess snapshots against a baseline"},
	{"lint", bl_cmd_lint, "validate baseline documents (every error, with file:line:col)"},
	{"list", bl_cmd_list, "list built-in baselines or a baseline's controls"},
	{"facts", bl_cmd_facts, "show what the host probes see, as JSON"},
	{"import", bl_cmd_import, "import OSCAL (and later Azure Policy, Wazuh SCA) as a baseline"},
	{"exceptions", bl_cmd_exceptions, "list exceptions; check what expired, expires soon or is stale"},
	{"gaps", bl_cmd_gaps, "the gap backlog: failing controls, most urgent first"},
	{"publish", bl_cmd_publish, "publish the baseline for stakeholders (html, md)"},
	{"diff", bl_cmd_diff, "what a baseline change does; warns about weakening changes"},
	{"keygen", bl_cmd_keygen, "create an Ed25519 key pair for signing baselines"},
	{"sign", bl_cmd_sign, "sign a baseline file (writes FILE.sig)"},
	{"verify", bl_cmd_verify, "verify a baseline file against FILE.sig"},
	{"report", bl_cmd_report, "render a stored run again (default: the latest) in any format"},
	{"trend", bl_cmd_trend, "compliance per stored run over time, with a sparkline"},
	{"drift", bl_cmd_drift, "what changed between two stored runs"},
	{"watch", bl_cmd_watch, "assess on an interval, store every run, alert on changes"},
	{"fleet", bl_cmd_fleet, "compliance per target across the store"},
	{"gate", bl_cmd_gate, "CI guardrail: exit 1 when a deny control fails (audit ones warn)"},
	{"serve", bl_cmd_serve, "HTTP decision API, read API, exception workflow and dashboard"},
	{"token", bl_cmd_token, "bearer tokens for serve: create, list, revoke"},
	{"version", bl_cmd_version, "print the version"},
};

static void usage(FILE *to)
{
	fprintf(to, "usage: baseline COMMAND [OPTIONS]   (baseline COMMAND --help for details)\n\n"
		    "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(to, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(to, "\nExit codes: 0 ok; 1 findings at or above --fail-on; 2 bad usage or an "
		    "invalid document; 3 internal error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return BL_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return BL_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0)
		return bl_cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, cmd) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "baseline: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return BL_EXIT_USAGE;
}
