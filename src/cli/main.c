/* main.c - cxm's entry point: a git-style table of subcommands. */
#include "cli.h"

#include <locale.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	enum cxm_msg summary;
	enum cxm_msg usage;
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "help", cmd_help, MSG_CMD_HELP, MSG_USAGE_HELP },
	{ "migrate", cmd_migrate, MSG_CMD_MIGRATE, MSG_USAGE_MIGRATE },
	{ "tenant", cmd_tenant, MSG_CMD_TENANT, MSG_USAGE_TENANT },
	{ "user", cmd_user, MSG_CMD_USER, MSG_USAGE_USER },
	{ "key", cmd_key, MSG_CMD_KEY, MSG_USAGE_KEY },
	{ "org", cmd_org, MSG_CMD_ORG, MSG_USAGE_ORG },
	{ "customer", cmd_customer, MSG_CMD_CUSTOMER, MSG_USAGE_CUSTOMER },
	{ "survey", cmd_survey, MSG_CMD_SURVEY, MSG_USAGE_SURVEY },
	{ "import", cmd_import, MSG_CMD_IMPORT, MSG_USAGE_IMPORT },
	{ "export", cmd_export, MSG_CMD_EXPORT, MSG_USAGE_EXPORT },
	{ "demo", cmd_demo, MSG_CMD_DEMO, MSG_USAGE_DEMO },
	{ "stats", cmd_stats, MSG_CMD_STATS, MSG_USAGE_STATS },
	{ "report", cmd_report, MSG_CMD_REPORT, MSG_USAGE_REPORT },
	{ "text", cmd_text, MSG_CMD_TEXT, MSG_USAGE_TEXT },
	{ "journey", cmd_journey, MSG_CMD_JOURNEY, MSG_USAGE_JOURNEY },
	{ "serve", cmd_serve, MSG_CMD_SERVE, MSG_USAGE_SERVE },
};

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int unknown(const char *name)
{
	fputs(_(MSG_ERROR_PREFIX), stderr);
	fprintf(stderr, _(MSG_UNKNOWN_COMMAND), name);
	fputc('\n', stderr);
	return 2;
}

static void overview(FILE *to)
{
	fputs(_(MSG_HELP_INTRO), to);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(to, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fputs(_(MSG_HELP_OUTRO), to);
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		overview(stdout);
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		return unknown(argv[1]);
	}
	cli_print_usage(c->usage, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	setlocale(LC_CTYPE, "C");
	cxm_i18n_from_env();
	if (argc < 2) {
		overview(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("cxm %s\n", CXM_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		overview(stdout);
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		return unknown(argv[1]);
	}
	return c->run(argc - 1, argv + 1);
}
