/*
 * cli.h - what the subcommands share: the command table, option parsing,
 * opening the database and the tenant, and printing errors.
 */
#ifndef CXM_CLI_H
#define CXM_CLI_H

#include "cxm/core.h"
#include "cxm/i18n.h"
#include "cxm/store.h"

#include <stdbool.h>

struct cli {
	const char *cmd;         /* the command's name, for messages */
	const char *db;          /* --db, $CXM_DB or the default */
	const char *tenant_name; /* --tenant, or NULL */
	struct cxm_store *s;
	int64_t tenant;
	char tenant_label[128];
	char tenant_tz[64];
	char tenant_lang[16];
};

/* An option a command takes. Values are borrowed from argv. */
struct cli_opt {
	const char *name;    /* "--format" */
	const char **value;  /* set for options with a value */
	bool *flag;          /* set for flags */
};

/*
 * Parses argv[1..] of a command: options (--name VALUE, --name=VALUE and
 * the common --db, --tenant, --help) and positional arguments, which are
 * collected into pos (at most maxpos). Returns 0, 1 when --help was shown,
 * or 2 after printing a usage error.
 */
int cli_parse(struct cli *c, int argc, char **argv, const struct cli_opt *opts, const char **pos, int maxpos,
	      int *npos, enum cxm_msg usage);

/* Opens the database (applying migrations); prints the error and returns
 * non-zero on failure. */
int cli_open(struct cli *c);
/* Opens the database and finds the tenant (--tenant or the only one). */
int cli_open_tenant(struct cli *c);
void cli_close(struct cli *c);

/* Prints "cxm: error: ..." and returns 1 (runtime) for `return cli_fail(...)`. */
int cli_fail(const char *fmt, ...) CXM_PRINTF(1, 2);
/* A usage error: message, then a hint to the command's help; returns 2. */
int cli_usage(const struct cli *c, const char *fmt, ...) CXM_PRINTF(2, 3);
/* The store's last error; returns 1. */
int cli_store_fail(const struct cli *c);
/* Prints a usage text (the command's MSG_USAGE_*) and the common options. */
void cli_print_usage(enum cxm_msg usage, FILE *to);

/* Parses a date or RFC 3339 time given to option `what`. */
int cli_time(const char *v, const char *what, int64_t *out);
/* Parses a non-negative integer given to option `what`. */
int cli_int(const char *v, const char *what, int64_t *out);

/*
 * Reads a password as one line from stdin (for scripts: `... < file`),
 * without its line end, and writes its argon2id hash into hash
 * (CXM_PASSWORD_HASH_BUFSZ bytes). Prints the error and returns non-zero
 * for no line, or a password the rules refuse.
 */
int cli_password_stdin(char *hash, size_t hashlen);
/* Who the audit log names for this command: "cli:$USER", or "cli". */
const char *cli_actor(char *buf, size_t len);

int cmd_migrate(int argc, char **argv);
int cmd_tenant(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_org(int argc, char **argv);
int cmd_customer(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_survey(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_text(int argc, char **argv);
int cmd_journey(int argc, char **argv);
/* `cxm report journey|funnel|paths` (cmd_journey.c) */
int cmd_report_journey(int argc, char **argv);
int cmd_report_funnel(int argc, char **argv);
int cmd_report_paths(int argc, char **argv);

#endif
