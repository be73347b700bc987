/* receipt.c - receipt codes of anonymous responses (receipt.h). */
#include "cxm/receipt.h"
#include "cxm/core.h"

#include <sodium.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void cxm_receipt_code(const unsigned char seed[CXM_RECEIPT_SEED_BYTES], char out[CXM_RECEIPT_BUFSZ])
{
	static const unsigned char what[] = "cxm receipt code";
	unsigned char bits[16];
	size_t w = 0;

	crypto_generichash(bits, sizeof(bits), what, sizeof(what) - 1, seed, CXM_RECEIPT_SEED_BYTES);
	for (int i = 0; i < CXM_RECEIPT_CHARS; i++) {
		/* 5 bits at a time from the first 10 bytes */
		int bit = i * 5, v = 0;
		for (int b = 0; b < 5; b++, bit++)
			v = v << 1 | ((bits[bit / 8] >> (7 - bit % 8)) & 1);
		if (i && i % 4 == 0)
			out[w++] = '-';
		out[w++] = alphabet[v];
	}
	out[w] = '\0';
	sodium_memzero(bits, sizeof(bits));
}

int cxm_receipt_normalize(const char *typed, char out[CXM_RECEIPT_CHARS + 1])
{
	size_t n = 0;

	for (const char *p = typed; *p; p++) {
		char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
		if (c == '-' || c == ' ')
			continue;
		if (c == 'I' || c == 'L')
			c = '1';
		else if (c == 'O')
			c = '0';
		if (c == 'U' || !c || !strchr(alphabet, c) || n == CXM_RECEIPT_CHARS)
			return CXM_EINVAL;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == CXM_RECEIPT_CHARS ? 0 : CXM_EINVAL;
}

int cxm_receipt_hash(int64_t tenant, const char *typed, char hex[CXM_RECEIPT_HASH_HEX])
{
	char code[CXM_RECEIPT_CHARS + 1], msg[64];
	unsigned char h[32];

	if (cxm_receipt_normalize(typed, code))
		return CXM_EINVAL;
	snprintf(msg, sizeof(msg), "%lld.%s", (long long)tenant, code);
	crypto_generichash(h, sizeof(h), (const unsigned char *)msg, strlen(msg), NULL, 0);
	sodium_bin2hex(hex, CXM_RECEIPT_HASH_HEX, h, sizeof(h));
	return 0;
}
