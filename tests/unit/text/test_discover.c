/*
 * test_discover.c - discovered themes (src/text/discover.c): on generated
 * comments with phrases planted in one group, the planted phrase comes
 * first for its group, whole ("tiempo de espera", not "espera"), with its
 * counts, z-score and example texts; negators stay in phrases; stop words
 * never start or end one; too little data gives nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cxm/core.h"
#include "cxm/text.h"

#include <stdio.h>
#include <string.h>

#define NDOCS 400

static const char *const vocab[] = {
	"pedido", "tienda", "producto", "compra", "cliente", "semana", "color", "modelo", "caja", "sucursal",
	"ciudad", "camiseta", "zapatos", "regalo", "hermana", "lunes", "mañana", "barrio", "centro", "marca",
	"talla", "bolsa", "tarjeta", "correo", "mensaje", "factura", "llamada", "paquete", "cocina", "jardín",
};
static const char *const fillers[] = { "el", "la", "de", "que", "y", "en", "con", "para" };

static uint32_t seed = 12345;
static uint32_t rnd(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 16) % n;
}

struct corpus {
	struct cxm_arena a;
	char text[NDOCS][256];
	struct cxm_text t[NDOCS];
	struct cxm_discover_doc d[NDOCS];
	bool planted[NDOCS][3];
};

/* Half detractors (group 0), half promoters (group 1). Planted: "tiempo de
 * espera" in 40% of detractors and 4% of promoters; "no contestan" in 30%
 * of detractors; "muy amables" in 40% of promoters and 4% of detractors. */
static void generate(struct corpus *c)
{
	cxm_arena_init(&c->a, 1 << 16);
	for (size_t i = 0; i < NDOCS; i++) {
		uint8_t g = i % 2;
		size_t o = 0, words = 6 + rnd(5);
		int slot = (int)rnd((uint32_t)words);
		bool p0 = rnd(100) < (g ? 4u : 40u), p1 = !g && rnd(100) < 30, p2 = rnd(100) < (g ? 40u : 4u);
		for (size_t w = 0; w < words; w++) {
			const char *word = rnd(3) ? vocab[rnd(sizeof(vocab) / sizeof(*vocab))]
						  : fillers[rnd(sizeof(fillers) / sizeof(*fillers))];
			o += (size_t)snprintf(c->text[i] + o, sizeof(c->text[i]) - o, "%s%s", w ? " " : "", word);
			if ((int)w == slot) {
				char *end = c->text[i] + o;
				size_t room = sizeof(c->text[i]) - o;
				int k = snprintf(end, room, "%s%s%s", p0 ? " el tiempo de espera" : "",
						 p1 ? ", no contestan" : "", p2 ? ". Muy amables" : "");
				o += (size_t)k;
			}
		}
		c->planted[i][0] = p0, c->planted[i][1] = p1, c->planted[i][2] = p2;
		char why[128];
		size_t len = strlen(c->text[i]);
		assert_int_equal(cxm_text_tokenize(&c->a, c->text[i], len, &c->t[i], why, sizeof(why)), 0);
		c->d[i] = (struct cxm_discover_doc){ .text = &c->t[i], .lang = CXM_LANG_ES, .group = g };
	}
}

static const struct cxm_phrase *find(const struct cxm_discovered *r, int side, const char *text)
{
	for (size_t i = 0; i < r->nphrase[side]; i++)
		if (!strcmp(r->phrase[side][i].text, text))
			return &r->phrase[side][i];
	return NULL;
}

static void test_planted(void **state)
{
	(void)state;
	static struct corpus c;
	struct cxm_discovered r;
	uint32_t want[3] = { 0, 0, 0 };

	generate(&c);
	for (size_t i = 0; i < NDOCS; i++)
		if (c.planted[i][0] && c.d[i].group == 0)
			want[0]++;
	cxm_text_discover(c.d, NDOCS, &(struct cxm_discover_opts){ .top_k = 5 }, &c.a, &r);
	assert_true(r.nphrase[0] >= 2 && r.nphrase[0] <= 5);
	assert_true(r.nphrase[1] >= 1 && r.nphrase[1] <= 5);

	/* detractors: the planted phrase first, whole */
	const struct cxm_phrase *p = &r.phrase[0][0];
	assert_string_equal(p->text, "tiempo de espera");
	assert_int_equal(p->nwords, 3);
	assert_int_equal(p->group, 0);
	assert_int_equal(p->count[0], want[0]);
	assert_true(p->count[1] < p->count[0] / 3);
	assert_true(p->z > 3 && p->delta > 0);
	assert_int_equal(p->nexample, 3);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(c.d[p->example[k]].group, 0);
		assert_non_null(strstr(c.text[p->example[k]], "tiempo de espera"));
	}
	/* its parts are not listed again */
	assert_null(find(&r, 0, "espera"));
	assert_null(find(&r, 0, "tiempo"));
	/* a negator stays in the phrase */
	assert_non_null(find(&r, 0, "no contestan"));
	assert_null(find(&r, 0, "contestan"));
	/* best first */
	for (size_t i = 1; i < r.nphrase[0]; i++)
		assert_true(r.phrase[0][i - 1].z >= r.phrase[0][i].z);

	/* promoters */
	assert_string_equal(r.phrase[1][0].text, "muy amables");
	assert_int_equal(r.phrase[1][0].group, 1);
	assert_true(r.phrase[1][0].count[1] > r.phrase[1][0].count[0]);
	assert_null(find(&r, 1, "tiempo de espera"));

	/* no phrase starts or ends with a stop word */
	for (int side = 0; side < 2; side++)
		for (size_t i = 0; i < r.nphrase[side]; i++) {
			const char *t = r.phrase[side][i].text;
			assert_true(strncmp(t, "el ", 3) && strncmp(t, "de ", 3) && strncmp(t, "la ", 3));
			size_t n = strlen(t);
			assert_true(n < 3 || (strcmp(t + n - 3, " de") && strcmp(t + n - 3, " el")));
		}
	cxm_arena_release(&c.a);
}

static void test_too_little(void **state)
{
	(void)state;
	struct cxm_arena a;
	struct cxm_text t[3];
	struct cxm_discover_doc d[3];
	struct cxm_discovered r;
	const char *s[3] = { "tardaron mucho", "tardaron mucho", "muy rápidos" };
	char why[128];

	cxm_arena_init(&a, 4096);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cxm_text_tokenize(&a, s[i], strlen(s[i]), &t[i], why, sizeof(why)), 0);
		d[i] = (struct cxm_discover_doc){ .text = &t[i], .lang = CXM_LANG_ES, .group = 0 };
	}
	/* nothing at all */
	cxm_text_discover(d, 0, NULL, &a, &r);
	assert_int_equal(r.nphrase[0] + r.nphrase[1], 0);
	/* one group only: nothing to set apart */
	cxm_text_discover(d, 3, NULL, &a, &r);
	assert_int_equal(r.nphrase[0] + r.nphrase[1], 0);
	/* two groups, but under the minimum count (3 texts by default) */
	d[2].group = 1;
	cxm_text_discover(d, 3, NULL, &a, &r);
	assert_int_equal(r.nphrase[0] + r.nphrase[1], 0);
	/* with a minimum of 2 "tardaron mucho" leans to group 0 */
	cxm_text_discover(d, 3, &(struct cxm_discover_opts){ .min_count = 2 }, &a, &r);
	assert_int_equal(r.nphrase[1], 0);
	assert_int_equal(r.nphrase[0], 1);
	assert_string_equal(r.phrase[0][0].text, "tardaron mucho");
	assert_int_equal(r.phrase[0][0].count[0], 2);
	assert_int_equal(r.phrase[0][0].nexample, 2);
	assert_int_equal(r.phrase[0][0].example[0], 0);
	assert_int_equal(r.phrase[0][0].example[1], 1);
	cxm_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted),
		cmocka_unit_test(test_too_little),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
