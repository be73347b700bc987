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

/*
 * Reads a whole file of at most max bytes: returns it (owned,
 * NUL-terminated) with its length in *len, or prints "FILE: reason" and
 * returns NULL.
 */
char *cli_read_file(const char *path, size_t max, size_t *len);
/* Writes s to stdout as one CSV field, quoted when it holds a comma, a
 * quote or a line break, then a comma, or a line end when last. */
void cli_csv_field(const char *s, bool last);

#define CLI_FOUND_NAME_MAX 120 /* at least every kind's name limit */

/* A stored definition (a survey, a journey) a command looks up by name or
 * id: what the store callback keeps (the row it gets is borrowed). */
struct cli_found {
	int n;            /* rows kept */
	const char *want; /* a name the callback keeps only, or NULL: any */
	int64_t id;
	char name[CLI_FOUND_NAME_MAX + 1];
	char status[16];
	int version, built_version;
	char *definition; /* owned */
};

/* Keeps one row into f (copies every string; counts it). */
void cli_found_keep(struct cli_found *f, int64_t id, const char *name, const char *status, int version,
		    int built_version, const char *definition);
/* Frees what f holds and empties it. */
void cli_found_release(struct cli_found *f);
/*
 * What a user names: by_name(ref) first (a name may look like a number),
 * then, when it answers CXM_ENOTFOUND and ref is a positive id, by_id.
 * 0 and f filled, CXM_ENOTFOUND, or another store error.
 */
int cli_resolve(struct cli *c, const char *ref, struct cli_found *f,
		int (*by_name)(struct cli *c, const char *name, struct cli_found *f),
		int (*by_id)(struct cli *c, int64_t id, struct cli_found *f));
/* Prints cli_resolve's error: not_found (args: ref, tenant) or the store's;
 * returns 1. */
int cli_resolve_fail(const struct cli *c, const char *ref, int ret, enum cxm_msg not_found);

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
