/*
 * io.h - importing and exporting customers and events as CSV (with a
 * header row) or JSONL, and importing historic survey responses. Import streams the file, checks every row and is
 * all-or-nothing unless told to skip bad rows; export writes what import
 * reads, so export then import gives back the same data.
 */
#ifndef CXM_IO_H
#define CXM_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct cxm_store;

/* CXM_IO_RESPONSES is import only: each row goes through
 * cxm_response_submit as a historic response. */
enum cxm_io_kind { CXM_IO_CUSTOMERS, CXM_IO_EVENTS, CXM_IO_RESPONSES };
enum cxm_io_format { CXM_FORMAT_AUTO, CXM_FORMAT_CSV, CXM_FORMAT_JSONL };

#define CXM_IMPORT_MAX_ROW (1024 * 1024) /* bytes in one row or line */

struct cxm_import_opts {
	enum cxm_io_kind kind;
	enum cxm_io_format format;   /* AUTO: by extension, else by content */
	bool skip_bad;               /* import good rows, write bad ones to reject_path */
	const char *reject_path;     /* with skip_bad; NULL: bad rows are only reported */
	/* Called for each bad row (file, line, reason); may be NULL. */
	void (*on_reject)(const char *file, uint64_t line, const char *reason, void *ctx);
	/* Called now and then with bytes read so far and the file size. */
	void (*progress)(uint64_t done, uint64_t total, void *ctx);
	void *ctx;
};

struct cxm_import_report {
	uint64_t rows;          /* data rows read */
	uint64_t imported;      /* new customers / events / responses stored */
	uint64_t updated;       /* customers whose fields changed; partial responses completed */
	uint64_t duplicates;    /* rows already stored (nothing changed) */
	uint64_t rejected;      /* bad rows */
	uint64_t new_customers; /* customers created for events or responses naming unknown customers */
	uint64_t new_units;     /* org units created for events naming unknown units */
	bool committed;         /* false: nothing was written */
};

/*
 * Imports path into the tenant. Returns 0 when the rows were stored (with
 * skip_bad, the good ones); CXM_EINVAL when bad rows made it import nothing
 * (default) or the file's header or syntax is unusable; CXM_EIO / CXM_ENOTFOUND
 * for a file that can't be read; store errors as they come. err gets
 * "file:line: reason" for file-level errors.
 */
int cxm_import_file(struct cxm_store *s, int64_t tenant, const char *path, const struct cxm_import_opts *o,
		    struct cxm_import_report *r, char *err, size_t errlen);

/* Writes every customer or event of the tenant to out. *n gets the count. */
int cxm_export(struct cxm_store *s, int64_t tenant, enum cxm_io_kind kind, enum cxm_io_format format, FILE *out,
	       uint64_t *n, char *err, size_t errlen);

#endif
