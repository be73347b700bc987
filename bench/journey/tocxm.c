/* bench/journey/tocxm.c - gen.c's CSV in the columns `cxm import` reads.
 *
 *   tocxm DATADIR OUTDIR
 *
 * DATADIR/customers.csv (id,segment) becomes OUTDIR/cxm-customers.csv
 * (external_id,attr.segment; customer N is "cN"); DATADIR/events.csv
 * (id,customer_id,ts,type,channel,touchpoint; ts in UTC microseconds)
 * becomes OUTDIR/cxm-events.csv (id,external_id,ts,type,channel,touchpoint;
 * ts in RFC 3339 with the microseconds, so nothing is lost), in the same
 * order: cxm numbers the event classes in order of first sight, as
 * engine.c does.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "tocxm: %s: %s\n", what, detail ? detail : "");
	exit(1);
}

/* days since 1970-01-01 to a civil date (Howard Hinnant's algorithm) */
static void civil(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

static FILE *open_or_die(const char *dir, const char *name, const char *mode)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, mode);
	if (!f)
		die("cannot open", path);
	return f;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: tocxm DATADIR OUTDIR\n");
		return 2;
	}
	static char line[512];
	FILE *in = open_or_die(argv[1], "customers.csv", "r");
	FILE *out = open_or_die(argv[2], "cxm-customers.csv", "w");
	fputs("external_id,attr.segment\n", out);
	while (fgets(line, sizeof(line), in)) {
		char *comma = strchr(line, ',');
		if (!comma)
			die("a customer line without a segment", line);
		*comma = '\0';
		fprintf(out, "c%s,%s", line, comma + 1);
	}
	fclose(in);
	if (fclose(out))
		die("cannot write", "cxm-customers.csv");

	in = open_or_die(argv[1], "events.csv", "r");
	out = open_or_die(argv[2], "cxm-events.csv", "w");
	static char obuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof(obuf));
	fputs("id,external_id,ts,type,channel,touchpoint\n", out);
	while (fgets(line, sizeof(line), in)) {
		char *f[6], *p = line;
		for (int i = 0; i < 6; i++) {
			f[i] = p;
			p += strcspn(p, i < 5 ? "," : "\n");
			if (i < 5 && *p != ',')
				die("an event line without 6 fields", line);
			*p++ = '\0';
		}
		int64_t us = strtoll(f[2], NULL, 10), s = us / 1000000, day = s / 86400, sod = s % 86400;
		int y;
		unsigned mo, d;
		civil(day, &y, &mo, &d);
		fprintf(out, "%s,c%s,%04d-%02u-%02uT%02d:%02d:%02d.%06dZ,%s,%s,%s\n", f[0], f[1], y, mo, d,
			(int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (int)(us % 1000000), f[3], f[4], f[5]);
	}
	fclose(in);
	if (fclose(out))
		die("cannot write", "cxm-events.csv");
	return 0;
}
