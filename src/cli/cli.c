/* cli.c - option parsing, database opening and error printing for commands. */
#include "cli.h"
#include "cxm/auth.h"
#include "cxm/customers.h"
#include "cxm/time.h"

#include <errno.h>
#include <sodium.h>

static void verr(const char *fmt, va_list ap)
{
	fputs(_(MSG_ERROR_PREFIX), stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return 1;
}

int cli_usage(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	fprintf(stderr, _(MSG_SEE_HELP), c->cmd);
	fputc('\n', stderr);
	return 2;
}

int cli_store_fail(const struct cli *c)
{
	return cli_fail("%s", cxm_store_errmsg(c->s));
}

void cli_print_usage(enum cxm_msg usage, FILE *to)
{
	fputs(_(MSG_USAGE_PREFIX), to);
	fputs(_(usage), to);
	fputc('\n', to);
	fputs(_(MSG_HELP_COMMON), to);
}

int cli_parse(struct cli *c, int argc, char **argv, const struct cli_opt *opts, const char **pos, int maxpos,
	      int *npos, enum cxm_msg usage)
{
	bool help = false;
	const char *db = NULL;
	const struct cli_opt common[] = {
		{ "--db", &db, NULL },
		{ "--tenant", &c->tenant_name, NULL },
		{ "--help", NULL, &help },
		{ "-h", NULL, &help },
	};

	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct cli_opt *o = NULL;
		const char *eq;
		size_t nlen;

		if (a[0] != '-' || !a[1] || !strcmp(a, "--")) {
			if (!strcmp(a, "--") && i + 1 < argc)
				a = argv[++i];
			if (*npos >= maxpos)
				return cli_usage(c, "%s: '%s'", _(MSG_TOO_MANY_ARGS), a);
			pos[(*npos)++] = a;
			continue;
		}
		eq = strchr(a, '=');
		nlen = eq ? (size_t)(eq - a) : strlen(a);
		for (size_t k = 0; k < ARRAY_SIZE(common) && !o; k++)
			if (strlen(common[k].name) == nlen && !strncmp(a, common[k].name, nlen))
				o = &common[k];
		for (const struct cli_opt *p = opts; p && p->name && !o; p++)
			if (strlen(p->name) == nlen && !strncmp(a, p->name, nlen))
				o = p;
		if (!o)
			return cli_usage(c, _(MSG_UNKNOWN_OPTION), a);
		if (o->flag) {
			if (eq)
				return cli_usage(c, _(MSG_UNKNOWN_OPTION), a);
			*o->flag = true;
		} else if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			return cli_usage(c, _(MSG_OPTION_NEEDS_VALUE), a);
		}
	}
	if (help) {
		cli_print_usage(usage, stdout);
		return 1;
	}
	if (db)
		c->db = db;
	else if (getenv("CXM_DB") && *getenv("CXM_DB"))
		c->db = getenv("CXM_DB");
	else
		c->db = CXM_DEFAULT_DB;
	return 0;
}

int cli_open(struct cli *c)
{
	char err[600];
	const char *url = c->db;
	char *owned = NULL;
	int ret;

	/* a bare path ending in .db is an SQLite file */
	if (!strstr(url, ":") && strlen(url) > 3 && !strcmp(url + strlen(url) - 3, ".db"))
		url = owned = xasprintf("sqlite:%s", url);
	ret = cxm_store_open(&c->s, url, err, sizeof(err));
	free(owned);
	if (ret)
		return cli_fail(_(MSG_DB_OPEN_FAILED), err);
	return 0;
}

static int tenant_cb(const struct cxm_tenant *t, void *ctx)
{
	struct cli *c = ctx;
	c->tenant = t->id;
	cxm_strlcpy(c->tenant_label, t->name, sizeof(c->tenant_label));
	cxm_strlcpy(c->tenant_tz, t->time_zone, sizeof(c->tenant_tz));
	cxm_strlcpy(c->tenant_lang, t->language, sizeof(c->tenant_lang));
	return 0;
}

int cli_open_tenant(struct cli *c)
{
	int ret;

	if (cli_open(c))
		return 1;
	ret = cxm_store_tenant_find(c->s, c->tenant_name, tenant_cb, c);
	if (ret == CXM_ENOTFOUND)
		ret = c->tenant_name ? cli_fail(_(MSG_NO_SUCH_TENANT), c->tenant_name) : cli_fail("%s", _(MSG_NO_TENANT));
	else if (ret == CXM_EAMBIGUOUS)
		ret = cli_fail("%s", _(MSG_MANY_TENANTS));
	else if (ret)
		ret = cli_store_fail(c);
	if (ret)
		cli_close(c);
	return ret;
}

void cli_close(struct cli *c)
{
	cxm_store_close(c->s);
	c->s = NULL;
}

int cli_time(const char *v, const char *what, int64_t *out)
{
	if (cxm_time_parse(v, strlen(v), out))
		return cli_fail(_(MSG_BAD_DATE), v, what);
	return 0;
}

int cli_int(const char *v, const char *what, int64_t *out)
{
	if (cxm_parse_i64(v, strlen(v), out) || *out < 0)
		return cli_fail(_(MSG_BAD_NUMBER), v, what);
	return 0;
}

int cli_password_stdin(char *hash, size_t hashlen)
{
	char line[CXM_PASSWORD_MAX + 3], why[256];
	size_t len;
	int ret;

	if (hashlen < CXM_PASSWORD_HASH_BUFSZ)
		BUG("password hash buffer too small");
	if (!fgets(line, sizeof(line), stdin))
		return cli_fail("%s", _(MSG_PASSWORD_NO_INPUT));
	len = strlen(line);
	if (len && line[len - 1] == '\n')
		line[--len] = '\0';
	else if (!feof(stdin)) /* no line end within the buffer: too long */
		len = sizeof(line);
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len > CXM_PASSWORD_MAX) {
		sodium_memzero(line, sizeof(line));
		return cli_fail(_(MSG_A_PASSWORD_LONG), CXM_PASSWORD_MAX);
	}
	ret = cxm_auth_password_hash(line, hash, why, sizeof(why));
	sodium_memzero(line, sizeof(line));
	return ret ? cli_fail("%s", why) : 0;
}

const char *cli_actor(char *buf, size_t len)
{
	const char *user = getenv("USER");
	char why[128];

	if (user && *user && strlen(user) <= 64 && !cxm_text_check(user, 64, why, sizeof(why)))
		snprintf(buf, len, "cli:%s", user);
	else
		snprintf(buf, len, "cli");
	return buf;
}

char *cli_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		cli_fail("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(max + 1);
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		if (ferror(f))
			cli_fail("%s: %s", path, strerror(errno));
		else
			cli_fail(_(MSG_FILE_TOO_BIG), path, (int)max);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

void cli_csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
}

void cli_found_keep(struct cli_found *f, int64_t id, const char *name, const char *status, int version,
		    int built_version, const char *definition)
{
	f->n++;
	f->id = id;
	cxm_strlcpy(f->name, name, sizeof(f->name));
	cxm_strlcpy(f->status, status, sizeof(f->status));
	f->version = version;
	f->built_version = built_version;
	free(f->definition);
	f->definition = xstrdup(definition);
}

void cli_found_release(struct cli_found *f)
{
	free(f->definition);
	memset(f, 0, sizeof(*f));
}

int cli_resolve(struct cli *c, const char *ref, struct cli_found *f,
		int (*by_name)(struct cli *c, const char *name, struct cli_found *f),
		int (*by_id)(struct cli *c, int64_t id, struct cli_found *f))
{
	int64_t id;
	int ret = by_name(c, ref, f);

	if (ret != CXM_ENOTFOUND)
		return ret;
	if (cxm_parse_i64(ref, strlen(ref), &id) || id <= 0)
		return CXM_ENOTFOUND;
	return by_id(c, id, f);
}

int cli_resolve_fail(const struct cli *c, const char *ref, int ret, enum cxm_msg not_found)
{
	return ret == CXM_ENOTFOUND ? cli_fail(_(not_found), ref, c->tenant_label) : cli_store_fail(c);
}
