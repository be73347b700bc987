/*
 * receipt.h - receipt codes of anonymous responses: 80 bits written as
 * XXXX-XXXX-XXXX-XXXX in Crockford's base32 (no I, L, O, U; read back
 * case-blind with I and L as 1, O as 0, dashes and spaces ignored), and
 * the hash that is all the database keeps of one. Pure, no I/O.
 */
#ifndef CXM_RECEIPT_H
#define CXM_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#define CXM_RECEIPT_SEED_BYTES 16  /* what a code is made from */
#define CXM_RECEIPT_CHARS 16       /* 16 x 5 bits = 80 bits */
#define CXM_RECEIPT_BUFSZ 20       /* "XXXX-XXXX-XXXX-XXXX" and a NUL */
#define CXM_RECEIPT_HASH_HEX 65    /* 64 hex digits and a NUL */

/*
 * The code a seed (random bytes the caller keeps secret) stands for: the
 * first 80 bits of a keyed BLAKE2b of the seed, grouped by four. The same
 * seed gives the same code, so a form sent twice shows the same code.
 */
void cxm_receipt_code(const unsigned char seed[CXM_RECEIPT_SEED_BYTES], char out[CXM_RECEIPT_BUFSZ]);
/* Reads a code as a person typed it into its 16 canonical characters (and a
 * NUL); 0, or CXM_EINVAL when it is not a code. */
int cxm_receipt_normalize(const char *typed, char out[CXM_RECEIPT_CHARS + 1]);
/* The hash kept of a code (any spelling that normalises): BLAKE2b-256 of the
 * tenant and the canonical code, hex. CXM_EINVAL when it is not a code. */
int cxm_receipt_hash(int64_t tenant, const char *typed, char hex[CXM_RECEIPT_HASH_HEX]);

#endif
