/* test_sentiment.c - the sentiment engine (src/text/sentiment.c), rule by
 * rule in Spanish and English: lexicon words and their inflections,
 * negation and where its scope ends, boosters and dampeners, contrast,
 * capitals, elongation, exclamation and question marks, emoji and
 * emoticons, idioms, per-sentence scores and per-token contributions. */
#include "testutil.h"

#include "cxm/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cxm_arena arena;
static struct cxm_stemmers *stemmers;

static int setup(void **state)
{
	(void)state;
	cxm_arena_init(&arena, 0);
	stemmers = cxm_stemmers_new();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cxm_stemmers_free(stemmers);
	cxm_arena_release(&arena);
	return 0;
}

static struct cxm_sentiment run(const char *s, enum cxm_lang lang, struct cxm_text *t)
{
	struct cxm_sentiment out;
	char why[128] = "";

	if (cxm_text_tokenize(&arena, s, strlen(s), t, why, sizeof(why)))
		fail_msg("tokenize(%s): %s", s, why);
	cxm_sentiment_score(&arena, stemmers, t, lang, &out);
	return out;
}

/* The compound score of a text in a language. */
static double sc(const char *s, enum cxm_lang lang)
{
	struct cxm_text t;

	return run(s, lang, &t).text.compound;
}

static double es(const char *s)
{
	return sc(s, CXM_LANG_ES);
}

static double en(const char *s)
{
	return sc(s, CXM_LANG_EN);
}

#define assert_gt(a, b)                                                                                      \
	do {                                                                                                 \
		double a_ = (a), b_ = (b);                                                                   \
		if (!(a_ > b_))                                                                              \
			fail_msg("%s = %.4f is not > %s = %.4f", #a, a_, #b, b_);                            \
	} while (0)

/* The contribution of the first token whose text is word. */
static double contrib(const struct cxm_text *t, const struct cxm_sentiment *s, const char *word)
{
	for (size_t i = 0; i < t->ntok; i++)
		if (t->tok[i].len == strlen(word) && !memcmp(t->src + t->tok[i].start, word, t->tok[i].len))
			return s->contrib[i];
	fail_msg("no token '%s'", word);
	return 0;
}

static void test_empty_is_neutral(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	for (int lang = 0; lang < 3; lang++) {
		s = run("", (enum cxm_lang)lang, &t);
		assert_true(s.text.compound == 0);
		assert_true(s.text.neu == 1 && s.text.pos == 0 && s.text.neg == 0);
		assert_int_equal(s.text.label, CXM_SENTIMENT_NEUTRAL);
		assert_int_equal(s.nsentences, 0);
	}
	s = run("la caja es azul", CXM_LANG_ES, &t);
	assert_true(s.text.compound == 0);
	assert_int_equal(s.text.label, CXM_SENTIMENT_NEUTRAL);
	assert_int_equal(s.matched, 0);
	assert_string_equal(cxm_sentiment_label_name(s.text.label), "neutral");
}

static void test_lexicon_words(void **state)
{
	(void)state;
	assert_gt(en("The staff were friendly"), 0.3);
	assert_gt(-en("The staff were rude"), 0.3);
	assert_gt(es("el personal fue amable"), 0.3);
	assert_gt(-es("el personal fue grosero"), 0.3);
	assert_gt(-es("una estafa"), 0.5);
	assert_gt(es("todo chévere, bacán"), 0.5);
	assert_gt(-es("muy cutre todo"), 0.3);
	/* accented and unaccented spellings are one word */
	assert_true(fabs(es("pésimo") - es("pesimo")) < 1e-9);
	assert_gt(-es("pésimo"), 0.5);
}

static void test_es_inflections(void **state)
{
	(void)state;
	/* forms that are not keys of the lexicon, found by their stem */
	assert_gt(-es("nos decepcionaron"), 0.2);
	assert_gt(-es("tardaremos"), 0.1);
	assert_gt(es("lo disfrutamos muchísimo"), 0.3);
	/* superlatives and intensifying prefixes */
	assert_gt(es("rapidísimo"), es("rápido"));
	assert_gt(es("amabilísimos"), es("amables"));
	assert_gt(es("superamable"), es("amable") - 1e-9);
	/* laughter */
	assert_gt(es("jajajajaja"), 0.2);
}

static void test_negation(void **state)
{
	(void)state;
	assert_gt(en("The service was good"), 0.3);
	assert_gt(-en("The service was not good"), 0.2);
	assert_gt(-en("The service isn't good"), 0.2);
	assert_gt(-en("The service was NOT good at all"), 0.2);
	assert_gt(es("el servicio es bueno"), 0.3);
	assert_gt(-es("el servicio no es bueno"), 0.2);
	assert_gt(-es("nunca fueron amables"), 0.2);
	assert_gt(-es("tampoco es rápido"), 0.2);
	assert_gt(-es("no fue rápido ni amable"), 0.3);
	/* the clitics do not count against the scope: "no me lo recomendaron" */
	assert_gt(-es("no me lo recomendaron"), 0.2);
	/* "sin" negates: "sin problemas" is good news */
	assert_gt(es("todo llegó sin problemas"), 0.2);
	assert_gt(es("todo llegó sin ningún inconveniente"), 0.1);
	/* double negation in Spanish is still negative */
	assert_gt(-es("no me gustó nada"), 0.2);
	assert_gt(-es("no tiene nada bueno"), 0.2);
	assert_gt(-es("nadie fue amable"), 0.2);
	/* "no está mal" is mildly positive */
	assert_gt(es("no está mal"), CXM_SENTIMENT_THRESHOLD);
	assert_gt(0.6, es("no está mal"));
	assert_gt(en("not bad"), CXM_SENTIMENT_THRESHOLD);
}

static void test_negated_events(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	/* a negated event with nothing rated is a failure, carried by the negator */
	s = run("el técnico nunca vino", CXM_LANG_ES, &t);
	assert_gt(0, contrib(&t, &s, "nunca"));
	assert_int_equal(s.text.label, CXM_SENTIMENT_NEGATIVE);
	assert_gt(-es("no me devolvieron el dinero"), 0.1);
	/* not when a rated word is in scope (the word is negated instead) */
	s = run("no fue amable", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "no") == 0);
	/* not in a question, not for "no solo", not with nothing in scope */
	assert_true(es("¿no tienen envíos a Lima?") == 0);
	assert_true(es("no solo eso") == 0);
	assert_true(es("no.") == 0);
	/* English keeps VADER's rules */
	assert_true(en("they never came") == 0);
}

static void test_negation_scope_ends(void **state)
{
	(void)state;
	/* more than three words away */
	assert_gt(en("I did not think that the staff would be this friendly"), 0.2);
	assert_gt(es("no sabía que en esa tienda eran tan amables"), 0.2);
	/* at a comma or a full stop */
	assert_gt(en("Not what I ordered, but good"), 0.1);
	assert_gt(es("no, fue excelente"), 0.3);
	assert_gt(es("No. Fue excelente"), 0.3);
}

static void test_boosters_and_dampeners(void **state)
{
	(void)state;
	assert_gt(en("very good"), en("good"));
	assert_gt(en("good"), en("slightly good"));
	assert_gt(-en("extremely bad"), -en("bad"));
	assert_gt(es("muy bueno"), es("bueno"));
	assert_gt(es("súper amable"), es("amable"));
	assert_gt(es("re bueno"), es("bueno"));
	assert_gt(es("bastante bueno"), es("bueno"));
	assert_gt(-es("demasiado caro"), -es("caro"));
	assert_gt(-es("tan lento"), -es("lento"));
	/* "bien" before a rated word means "very" */
	assert_gt(-es("bien caro"), -es("caro"));
	assert_gt(-es("caro"), -es("un poco caro"));
	assert_gt(-es("caro"), -es("algo caro"));
	/* "poco" before a positive word turns it: "poco amable" */
	assert_gt(-es("poco amable"), 0.1);
	/* intensifiers after the word */
	assert_gt(-es("tardó muchísimo"), -es("tardó"));
	assert_gt(-es("tardó muchísimo"), 0.2);
	assert_gt(-es("demora mucho"), -es("demora"));
}

static void test_contrast(void **state)
{
	struct cxm_text t, t2;
	struct cxm_sentiment s, s2;

	(void)state;
	/* the clause after "pero" weighs more than the one before */
	assert_gt(-es("el servicio fue excelente pero la entrega tardó una semana"), 0.05);
	assert_gt(es("la entrega tardó una semana pero el servicio fue excelente"), 0.3);
	assert_gt(-en("The food was great but the service was horrible"), 0.1);
	s = run("el servicio fue excelente pero la entrega tardó una semana", CXM_LANG_ES, &t);
	s2 = run("el servicio fue excelente", CXM_LANG_ES, &t2);
	assert_true(fabs(contrib(&t, &s, "excelente") - 0.5 * contrib(&t2, &s2, "excelente")) < 1e-9);
	/* a sentence that opens with "Pero" weighs the sentence before down */
	assert_gt(-es("La comida, excelente. Pero la atención fue pésima"), 0.3);
	/* two-word contrast words */
	assert_gt(-es("el producto es bueno, sin embargo el envío fue horrible"), 0.2);
	assert_gt(-es("es barato, no obstante la calidad es mala"), 0.2);
	assert_gt(-es("buena comida aunque el camarero fue muy grosero"), 0.2);
}

static void test_caps_and_elongation(void **state)
{
	(void)state;
	assert_gt(en("The food was GREAT"), en("The food was great"));
	assert_gt(es("la comida estuvo BUENÍSIMA"), es("la comida estuvo buenísima"));
	/* a text all in capitals stresses nothing */
	assert_true(fabs(en("GREAT FOOD") - en("great food")) < 1e-9);
	assert_gt(es("buenooo"), es("bueno"));
	assert_gt(-es("malooo"), -es("malo"));
}

static void test_punctuation(void **state)
{
	(void)state;
	assert_gt(es("bueno!!"), es("bueno!"));
	assert_gt(es("bueno!"), es("bueno"));
	assert_gt(-es("horrible!!!"), -es("horrible"));
	/* up to four marks count */
	assert_true(fabs(es("bueno!!!!") - es("bueno!!!!!!!")) < 1e-9);
	assert_gt(en("great??"), en("great"));
	assert_gt(es("buenísimooo!!!"), 0.7);
	/* marks alone carry nothing */
	assert_true(es("!!!") == 0);
}

static void test_emoji_and_emoticons(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	assert_gt(-es("😡"), 0.3);
	assert_gt(es("😍👍"), 0.5);
	assert_gt(-es("💩💩"), 0.3);
	assert_gt(-es("👎🏽"), 0.3); /* a skin tone does not matter */
	assert_gt(es("❤️"), 0.3);
	/* not rated by us: read by its Unicode name, "collision" */
	assert_gt(-es("💥"), 0.1);
	/* objects are not read by name ("game die") */
	assert_true(es("🎲") == 0);
	assert_gt(en(":)"), 0.2);
	assert_gt(-en(":("), 0.2);
	assert_gt(es("todo bien :D"), es("todo bien"));
	/* no word turns an emoji: "no me gustó 😡" */
	assert_gt(-es("no 😡"), 0.3);
	/* emoji only, language unknown: a result, the same either way */
	s = run("😡😡😡", CXM_LANG_OTHER, &t);
	assert_int_equal(s.text.label, CXM_SENTIMENT_NEGATIVE);
	assert_true(fabs(s.text.compound - es("😡😡😡")) < 1e-9);
}

static void test_idioms(void **state)
{
	(void)state;
	assert_gt(es("vale la pena"), 0.3);
	assert_gt(-es("no vale la pena"), 0.3);
	assert_gt(-es("qué asco"), 0.5);
	assert_gt(es("todo salió de maravilla"), 0.5);
	assert_gt(-es("ni modo"), 0.05);
	assert_gt(-es("me cobraron de más"), 0.4);
	assert_gt(-es("es una mierda"), 0.5);
	assert_gt(-es("Para nada."), 0.1);
	assert_gt(-es("no me gustó para nada"), 0.2);
	assert_gt(-es("para nada recomendable"), 0.2);
	assert_gt(-es("me tuvieron horas en espera y me colgaron"), 0.4);
	assert_gt(en("the staff went above and beyond"), 0.5);
	assert_gt(-en("a waste of money"), 0.3);
}

static void test_sentences_and_contributions(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;
	double sum = 0;

	(void)state;
	s = run("El producto es excelente. La entrega fue pésima. Gracias por todo.", CXM_LANG_ES, &t);
	assert_int_equal(s.nsentences, 3);
	assert_int_equal(s.sentence[0].label, CXM_SENTIMENT_POSITIVE);
	assert_int_equal(s.sentence[1].label, CXM_SENTIMENT_NEGATIVE);
	assert_int_equal(s.sentence[2].label, CXM_SENTIMENT_POSITIVE);
	assert_int_equal(s.ntok, t.ntok);
	assert_gt(contrib(&t, &s, "excelente"), 0);
	assert_gt(0, contrib(&t, &s, "pésima"));
	assert_true(contrib(&t, &s, "producto") == 0);
	assert_int_equal(s.matched, 3);

	/* a phrase's contribution sits on its first token and spans all of it */
	s = run("sin duda vale la pena", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "vale"), 0);
	assert_true(contrib(&t, &s, "pena") == 0);
	assert_int_equal(s.span[2], 3);
	assert_int_equal(s.span[4], 1);

	s = run("muy amable", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "muy") == 0);
	assert_gt(contrib(&t, &s, "amable"), 2.3);

	/* the shares add up to one; the compound stays in [-1, 1] */
	s = run("excelente excelente excelente excelente excelente excelente excelente!!!!", CXM_LANG_ES, &t);
	assert_true(fabs(s.text.pos + s.text.neu + s.text.neg - 1) < 1e-9);
	assert_true(s.text.compound <= 1 && s.text.compound > 0.95);
	s = run("bueno pero caro y lento", CXM_LANG_ES, &t);
	assert_true(fabs(s.text.pos + s.text.neu + s.text.neg - 1) < 1e-9);
	assert_gt(s.text.pos, 0);
	assert_gt(s.text.neg, 0);
	for (size_t i = 0; i < t.ntok; i++)
		sum += s.contrib[i];
	assert_true(fabs(sum / sqrt(sum * sum + 15) - s.text.compound) < 1e-9);
}

static void test_language_choice(void **state)
{
	struct cxm_text t;

	(void)state;
	assert_int_equal(run("the service was excellent", CXM_LANG_OTHER, &t).lang, CXM_LANG_EN);
	assert_int_equal(run("el servicio fue excelente", CXM_LANG_OTHER, &t).lang, CXM_LANG_ES);
	assert_int_equal(run("the service was excellent", CXM_LANG_ES, &t).lang, CXM_LANG_ES);
	/* each language has its own lexicon: "sin" is not an English word */
	assert_gt(es("sin problemas"), 0.1);
	assert_gt(-en("problems"), 0.1);
	/* labels follow the thresholds */
	assert_int_equal(run("excelente", CXM_LANG_ES, &t).text.label, CXM_SENTIMENT_POSITIVE);
	assert_int_equal(run("horrible", CXM_LANG_ES, &t).text.label, CXM_SENTIMENT_NEGATIVE);
	assert_string_equal(cxm_sentiment_label_name(CXM_SENTIMENT_POSITIVE), "positive");
	assert_string_equal(cxm_sentiment_label_name(CXM_SENTIMENT_NEGATIVE), "negative");
}

static void test_odd_input(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;
	static char big[CXM_TEXT_MAX_BYTES];

	(void)state;
	/* a long text of mixed words, numbers, tags and links */
	for (size_t i = 0; i + 40 < sizeof(big); i += 40)
		memcpy(big + i, "no muy bueno #fail @x http://a.b 3,5 :( ", 40);
	big[sizeof(big) - 1] = 0;
	s = run(big, CXM_LANG_OTHER, &t);
	assert_true(s.text.compound >= -1 && s.text.compound <= 1);
	assert_int_equal(s.text.label, CXM_SENTIMENT_NEGATIVE);
	s = run("... ??? 12345 http://example.com", CXM_LANG_OTHER, &t);
	assert_int_equal(s.text.label, CXM_SENTIMENT_NEUTRAL);
}

/* Everyday Spanish beyond customer service: illness, death, missing
 * someone, insults; "espero" (I wait, I hope) and "por favor" (a request)
 * are not praise. */
static void test_es_everyday_words(void **state)
{
	(void)state;
	assert_gt(-es("tengo fiebre y gripe"), 0.3);
	assert_gt(-es("murió mi abuelo"), 0.3);
	assert_gt(-es("te extraño"), 0.1);
	assert_gt(-es("qué tarado"), 0.3);
	assert_gt(es("qué golazo"), 0.3);
	assert_gt(-es("otro terremoto"), 0.3);
	assert_gt(es("¡qué remontada!"), 0.3);
	assert_true(es("espero tu respuesta") == 0);
	assert_true(es("por favor") == 0);
	assert_gt(-es("contesten por favor, es un desastre"), 0.3);
	/* "favorable" keeps its stem */
	assert_gt(es("una respuesta favorable"), 0.3);
	/* words that only share a stem with a rated one: the mind is no lie,
	 * eggs are not "huevón", a draw is not empathy, "sabía" is not wise */
	assert_true(es("la mente") == 0);
	assert_true(es("huevos fritos") == 0);
	assert_true(es("un empate") == 0);
	assert_true(es("nos mostró el local") == 0);
	assert_true(es("ya lo sabía") == 0);
	assert_true(es("el mar de madrugada") == 0);
	assert_true(es("en Costa Rica tomando mate, el dólar sube") == 0);
	assert_gt(-es("me tomaron el pelo"), 0.3);
	assert_true(es("por las tardes elegimos el siglo") == 0);
	assert_gt(-es("tardaron siglos"), 0.3);
	assert_true(es("seguramente quedó atrás") == 0);
	assert_gt(-es("me mintió"), 0.2);
}

/* Spanish diminutives keep their base word's valence, in its gender. */
static void test_es_diminutives(void **state)
{
	(void)state;
	assert_gt(-es("estoy malito"), 0.2);
	assert_gt(-es("tristito"), 0.2);
	assert_gt(-es("cansadita"), 0.2);
	assert_gt(es("amiguitos"), 0.1);
	/* "ratito" is a short while, not a small rat */
	assert_true(es("un ratito") == 0);
}

/* More negated events: "ni", "ninguna", "sin" after a verb of lasting or
 * running out, and "¿por qué no ...?", which is a complaint. */
static void test_es_more_negated_events(void **state)
{
	(void)state;
	assert_gt(-es("ni me contestaron"), 0.2);
	assert_gt(-es("ninguna respuesta"), 0.2);
	assert_gt(-es("sigo sin entender"), 0.2);
	assert_gt(-es("me quedé sin saldo"), 0.2);
	assert_true(es("café sin azúcar") == 0);
	assert_gt(-es("¿Por qué no me devuelven el dinero?"), 0.2);
	assert_true(es("¿No tienen envíos a Lima?") == 0);
	/* negative concord: "nada", "nadie" after "no" repeat its negation */
	assert_gt(-es("no me dijeron nada"), 0.2);
	assert_gt(-es("no vino nadie"), 0.2);
	assert_gt(es("no pasa nada"), 0);
}

/* A negated thought ("no sabía que", "no sé") is no failure; "no solo ...
 * sino" adds, it does not negate. */
static void test_es_not_negations(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	s = run("no sabía que cerraban los domingos", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "no") == 0);
	assert_true(es("no sé qué pasó") == 0);
	assert_gt(es("no sabía que eran tan amables"), 0.2);
	assert_gt(es("No solo llegó a tiempo, sino que además vino con un regalo"), 0.3);
	assert_true(fabs(es("no solo llegó a tiempo") - es("llegó a tiempo")) < 1e-9);
}

/* "Bueno, ..." and "Vale, ..." open speech; "mejor me voy" is "I'd rather". */
static void test_es_markers(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	assert_true(es("Bueno, me voy a casa") == 0);
	assert_true(es("Vale, mañana lo miro") == 0);
	assert_gt(es("el servicio es bueno"), 0.3);
	assert_true(es("mejor me voy") == 0);
	s = run("mejor no digo nada", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "mejor") == 0);
	assert_gt(es("el mejor servicio"), 0.3);
	assert_gt(es("es lo mejor"), 0.3);
}

/* Wishes and "should": a positive word names what is missing (damped, not
 * turned); a question asks rather than says; negative words stay. */
static void test_es_wishes_and_questions(void **state)
{
	(void)state;
	assert_gt(es("ojalá fuera rápido"), 0);
	assert_gt(0.5 * es("fue rápido"), es("ojalá fuera rápido"));
	assert_gt(0.5 * es("fueron más amables"), es("me gustaría que fueran más amables"));
	assert_gt(0.5 * es("son amables"), es("deberían ser amables"));
	assert_gt(0.5 * es("mejora"), es("a ver si mejora"));
	assert_gt(0.5 * es("es bueno"), es("si tan solo fuera bueno"));
	/* the clause ends the wish */
	assert_gt(es("ojalá llueva, el servicio fue excelente"), 0.5);
	assert_gt(es("es bueno"), es("¿es bueno?"));
	assert_gt(es("¿es bueno?"), 0);
	assert_true(fabs(es("¿es tan malo?") - es("es tan malo")) < 1e-9);
}

/* Irony: praise alone before a pause, then a text that adds up negative. */
static void test_es_irony(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	s = run("Genial, otra vez me cobraron de más", CXM_LANG_ES, &t);
	assert_gt(-contrib(&t, &s, "Genial"), 0.1);
	s = run("Qué bien... me cobraron dos veces", CXM_LANG_ES, &t);
	assert_gt(-contrib(&t, &s, "Qué"), 0.1);
	s = run("Gracias, llegó roto", CXM_LANG_ES, &t);
	assert_gt(-contrib(&t, &s, "Gracias"), 0.1);
	/* sincere praise, and praise before a contrast word, are not irony */
	s = run("Genial, todo llegó a tiempo", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "Genial"), 0.1);
	s = run("Genial, pero llegó tarde", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "Genial"), 0.1);
	s = run("Gracias por la ayuda, llegó roto", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "Gracias"), 0.1);
}

/* Laughter in a text that adds up negative is rueful: it adds nothing. */
static void test_es_rueful_laughter(void **state)
{
	(void)state;
	assert_true(fabs(es("me robaron el móvil jajaja") - es("me robaron el móvil")) < 1e-9);
	assert_true(fabs(es("me robaron el móvil 😂") - es("me robaron el móvil")) < 1e-9);
	assert_true(fabs(es("me robaron el móvil xD") - es("me robaron el móvil")) < 1e-9);
	assert_gt(-es("me robaron el móvil jajaja"), 0.3);
	assert_gt(es("jajaja qué buen día"), es("qué buen día"));
	assert_gt(es("jajaja"), 0.2);
}

/* Lacking turns praise ("le falta amabilidad"); a demand, like a wish,
 * names what is missing; idioms of praise built on words of death or
 * tears are praise. */
static void test_es_lacking_demands_idioms(void **state)
{
	(void)state;
	assert_gt(-es("le falta amabilidad"), 0.2);
	assert_gt(-es("nos faltó amabilidad"), 0.2);
	assert_gt(es("no le falta nada"), 0.1);
	assert_gt(0.5 * es("hay justicia"), es("exigimos justicia"));
	assert_gt(es("el postre está de muerte"), 0.3);
	assert_gt(es("llorando de risa"), 0.3);
	assert_gt(es("no hay nada mejor"), 0.3);
	assert_gt(-es("amenazas de muerte"), 0.3);
	assert_true(es("¡no me digas!") == 0);
	/* praise words inside grammar words: "si bien" (although), "seguro que" (surely) */
	assert_true(es("o bien mañana") == 0);
	assert_true(es("justo hoy") == 0);
	assert_gt(-es("seguro que llega tarde"), 0.1);
	/* a plural imperative to a company is a complaint */
	assert_gt(-es("arreglen el internet"), 0.2);
	assert_gt(-es("contesten el teléfono"), 0.2);
	/* a negated profanity is still annoyance; complaint idioms */
	assert_gt(-es("no me jodas"), 0.2);
	assert_gt(-es("esto ya es el colmo"), 0.3);
}

/* Spanish negative words weigh half as much again (SO-CAL's negative
 * weighting): "rápido" (+1.9) and "lento" (-1.8) add up negative. */
static void test_es_negativity_weight(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	s = run("rápido y lento", CXM_LANG_ES, &t);
	assert_true(fabs(contrib(&t, &s, "lento") + 1.8 * 1.5) < 1e-6);
	assert_true(fabs(contrib(&t, &s, "rápido") - 1.9) < 1e-6);
	assert_gt(0, s.text.compound);
}

/* The woman's and man's forms of an emoji read as the emoji ("🤦‍♀️", "🤷🏻‍♂️"). */
static void test_emoji_gendered(void **state)
{
	(void)state;
	assert_gt(-es("\xf0\x9f\xa4\xa6\xe2\x80\x8d\xe2\x99\x80\xef\xb8\x8f"), 0.3);
	assert_true(fabs(en("\xf0\x9f\xa4\xa6\xe2\x80\x8d\xe2\x99\x80\xef\xb8\x8f") - en("\xf0\x9f\xa4\xa6")) < 1e-9);
	assert_true(fabs(es("\xf0\x9f\xa4\xb7\xf0\x9f\x8f\xbb\xe2\x80\x8d\xe2\x99\x82\xef\xb8\x8f") -
			 es("\xf0\x9f\xa4\xb7")) < 1e-9);
}

/* A CamelCase hashtag is read as its words, a negator turning the rest. */
static void test_hashtag_words(void **state)
{
	(void)state;
	assert_gt(-es("#QuéVergüenza"), 0.3);
	assert_true(fabs(es("#QuéVergüenza") - es("#QueVerguenza")) < 1e-9);
	assert_gt(-es("#Todo_Mal"), 0.3);
	assert_gt(es("#FelizLunes"), 0.3);
	assert_gt(-es("#NoMeGusta"), 0.2);
	assert_gt(-en("#NotHappy"), 0.2);
	/* one word, or words nobody rated */
	assert_true(es("#felizlunes") == 0);
	assert_true(es("#CopaAmérica2024") == 0);
	/* more words than it reads (a fuzzer's find): no valence, no overrun */
	assert_true(es("#fGGGGGGGGGGGGGGGGGGGGGail") == 0);
	assert_true(es("#MalMalMalMalMalMalMalMalMalMal") == 0);
}

/* "Aunque" opening its sentence: the concession up to the comma weighs
 * x0.5, the point after it x1.5. */
static void test_es_concession(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;
	double alone, conceded;

	(void)state;
	s = run("tardó", CXM_LANG_ES, &t);
	alone = contrib(&t, &s, "tardó");
	s = run("Aunque tardó, el producto es excelente", CXM_LANG_ES, &t);
	conceded = contrib(&t, &s, "tardó");
	assert_true(fabs(conceded - 0.5 * alone) < 1e-9);
	assert_gt(-es("Aunque es barato, la calidad es pésima"), 0.5);
}

/* A closing formula after a text that adds up negative is politeness. */
static void test_es_closing_formula(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	s = run("Llevo una semana sin internet. Gracias.", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "Gracias") == 0);
	s = run("Pésima atención, muchas gracias", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "muchas") == 0 && contrib(&t, &s, "gracias") == 0);
	/* after praise too it is a formula (rule 15): the praise speaks */
	s = run("Todo perfecto, gracias", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "gracias") == 0);
	assert_gt(s.text.compound, 0.3);
	/* thanks for something is no formula */
	s = run("Llevo una semana sin internet, gracias por nada", CXM_LANG_ES, &t);
	assert_gt(0, s.text.compound);
}

/* Decline and doubt: "antes era", "solía ser", "supuesto" turn praise. */
static void test_es_decline(void **state)
{
	(void)state;
	assert_gt(-es("antes el servicio era rápido"), 0.2);
	assert_gt(-es("solía ser rápido"), 0.2);
	assert_gt(-es("el supuesto buen servicio"), 0.2);
	/* "por supuesto" is "of course"; "antes de" is "before" */
	assert_gt(es("por supuesto, excelente"), 0.3);
	assert_gt(es("antes de ayer fue genial"), 0.3);
}

/* Proper nouns: a capitalised word inside a sentence, after a word that
 * cannot end one or next to another capital, is part of a name. */
static void test_es_names(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	/* a name carries no valence: only "horrible" and "fatal" count */
	s = run("vivo en Buenos Aires y el tráfico es horrible", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "Buenos") == 0);
	s = run("el hospital Buen Pastor me atendió fatal", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "Buen") == 0);
	assert_gt(0, s.text.compound);
	s = run("hablé con Feliz y me dijo que no", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "Feliz") == 0);
	/* the same words in lower case are words */
	s = run("vivo en buenos barrios", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "buenos"), 0.5);
	/* a capital after a content word may open a sentence that lost its full stop */
	s = run("me atendieron rápido Excelente servicio", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "Excelente"), 1);
	/* the first word of a sentence, a word in capitals, a text in title case */
	s = run("Feliz con la compra", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "Feliz"), 1);
	s = run("la atención fue EXCELENTE", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "EXCELENTE"), 1);
	s = run("Un Servicio De Excelente Calidad", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "Excelente"), 1);
	/* a phrase of the lexicon keeps its valence */
	s = run("les deseamos una Feliz Navidad", CXM_LANG_ES, &t);
	assert_gt(s.text.compound, 0.3);
	/* English has no such rule: capitals are names and titles alike */
	s = run("we stayed at the Grand Hotel and it was great", CXM_LANG_EN, &t);
	assert_gt(contrib(&t, &s, "Grand"), 0.5);
}

/* Phatic formulas that open or close a text weigh nothing when the rest
 * says something; thanks for something is praise. */
static void test_es_phatic(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;

	(void)state;
	/* a greeting before a complaint */
	s = run("Buenos días, llevo una semana sin luz", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "Buenos") == 0);
	assert_gt(-s.text.compound, 0.3);
	s = run("@tienda Hola, el pedido llegó roto", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "Hola") == 0);
	s = run("Buenas, tengo un problema con la factura", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "Buenas") == 0);
	/* "Buenas noticias" is news, not a greeting */
	s = run("Buenas noticias: llegó el paquete", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "Buenas"), 0.5);
	/* a leave-taking after a pause; "un abrazo" and "saludos" alike */
	s = run("El paquete llegó abierto. Un abrazo", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "abrazo") == 0);
	s = run("Me encantó la atención, saludos", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "saludos") == 0);
	assert_gt(s.text.compound, 0.3);
	s = run("Pésima atención, muchas gracias", CXM_LANG_ES, &t);
	assert_true(contrib(&t, &s, "muchas") == 0 && contrib(&t, &s, "gracias") == 0);
	/* thanks for something is the praise itself */
	s = run("Gracias por la rapidez, me llegó en un día", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "Gracias"), 0.5);
	s = run("Muchas gracias @tienda por todo", CXM_LANG_ES, &t);
	assert_gt(s.text.compound, 0.3);
	/* "les doy las gracias" thanks; it is no closing formula */
	s = run("Les doy las gracias", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "gracias"), 0.5);
	/* a text that is only a formula is the formula's message */
	s = run("¡Muchas gracias!", CXM_LANG_ES, &t);
	assert_gt(s.text.compound, 0.3);
	s = run("Hola, buenos días", CXM_LANG_ES, &t);
	assert_gt(s.text.compound, 0);
}

/* The conditional of ser, estar, poder and a verb of will before an
 * infinitive are irrealis; "gran" praises or boosts; idioms whose words
 * mislead. */
static void test_es_conditional_gran_idioms(void **state)
{
	struct cxm_text t;
	struct cxm_sentiment s;
	double fact, wish;

	(void)state;
	s = run("es genial", CXM_LANG_ES, &t);
	fact = contrib(&t, &s, "genial");
	s = run("sería genial que contestaran", CXM_LANG_ES, &t);
	wish = contrib(&t, &s, "genial");
	assert_true(fabs(wish - 0.2 * fact) < 1e-9);
	assert_gt(0.3, es("estaría bien que me devolvieran el dinero"));
	/* a verb of will before an infinitive wants, it does not have */
	s = run("quiero ser feliz", CXM_LANG_ES, &t);
	assert_gt(0.3 * es("soy feliz"), s.text.compound);
	assert_gt(s.text.compound, 0);
	assert_gt(es("te quiero mucho"), 0.5);
	/* preterites and imperfects of -er/-ir verbs find their verb despite the accent */
	assert_gt(-es("suspendí"), 0.3);
	assert_gt(-es("sufría"), 0.3);
	assert_gt(-es("se me rompió"), 0.3);
	/* "seria" without its accent is "serious", no conditional */
	s = run("una empresa seria y muy amable", CXM_LANG_ES, &t);
	assert_gt(contrib(&t, &s, "amable"), 1);
	/* "gran": praise before a neutral noun, a booster before a rated one */
	assert_gt(es("hoy fue un gran día"), 0.3);
	assert_gt(-es("una gran decepción"), -es("una decepción"));
	assert_gt(es("una gran ayuda"), es("una ayuda"));
	assert_true(es("en gran parte") == 0);
	/* idioms */
	assert_gt(es("no hay nada como un buen café"), 0.3);
	assert_gt(-es("ni loco vuelvo a comprar ahí"), 0.3);
	assert_gt(-es("no aguanto más"), 0.3);
	assert_gt(-es("¡Menudo servicio!"), 0.3);
	assert_gt(-es("descanse en paz"), 0.3);
	assert_gt(es("podría ser peor"), 0);
	assert_gt(es("no veo la hora de volver"), 0.3);
	/* "agradecería" asks; surprise before a clause takes the clause's sign */
	assert_true(es("les agradecería una respuesta") == 0);
	assert_gt(-es("es increíble que sigan sin arreglarlo"), 0.2);
	assert_gt(es("es increíble lo bien que cocinan"), 0.2);
	/* a negated demand is still a failure */
	assert_gt(-es("es increíble que no contesten"), 0.2);
}

/* Scare quotes turn the praise they hold; a quotation or a title does not. */
static void test_es_scare_quotes(void **state)
{
	(void)state;
	assert_gt(-es("el \"excelente\" servicio de siempre"), 0.3);
	assert_gt(-es("la «rapidez» de su entrega"), 0);
	assert_gt(-es("el “magnífico” trato"), 0.3);
	/* a longer quotation, and a text that is only the quotation */
	assert_gt(es("me dijo \"es excelente, me encantó todo\" y tenía razón"), 0.5);
	assert_gt(es("\"Excelente\""), 0.3);
	/* interjections of exasperation and glee */
	assert_gt(-es("puf, otra vez lunes"), 0.1);
	assert_gt(es("¡yuju!"), 0.3);
}

/* tests/data/sentiment/comments.tsv: comments written for these tests with
 * the label each must get (lang TAB label TAB text). */
static void test_comments(void **state)
{
	const char *dir = getenv("CXM_TEST_DATA") && *getenv("CXM_TEST_DATA") ? getenv("CXM_TEST_DATA") : "tests/data";
	char path[512], line[1024];
	FILE *f;
	int n = 0, wrong = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/sentiment/comments.tsv", dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *lang = line, *label, *text;
		struct cxm_text t;
		struct cxm_sentiment s;

		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		label = strchr(lang, '\t');
		text = label ? strchr(label + 1, '\t') : NULL;
		if (!text)
			fail_msg("%s: bad line '%s'", path, line);
		*label++ = 0;
		*text++ = 0;
		s = run(text, !strcmp(lang, "es") ? CXM_LANG_ES : CXM_LANG_EN, &t);
		n++;
		if (strcmp(cxm_sentiment_label_name(s.text.label), label)) {
			print_message("%s: '%s' is %s (%.3f), want %s\n", lang, text,
				      cxm_sentiment_label_name(s.text.label), s.text.compound, label);
			wrong++;
		}
	}
	fclose(f);
	assert_true(n >= 50);
	assert_int_equal(wrong, 0);
}

/* Entries of the hand translation of VADER's English lexicon (es_valence.tsv's last section): each
 * sentence below has no other rated word, and scored exactly 0 before that section. Keys marked exact
 * there must not rate the everyday words that share their Snowball stem. */
static void test_es_vader_translations(void **state)
{
	(void)state;
	assert_gt(-es("nos denegaron la devolución"), 0.3);
	assert_gt(-es("el técnico fue un canalla"), 0.3);
	assert_gt(es("una carcajada tras otra"), 0.3);
	assert_gt(-es("la entrega fue una farsa"), 0.3);
	assert_gt(-es("el repartidor, muy hosco"), 0.3);
	assert_gt(es("estoy esperanzado con la nueva tienda"), 0.2);
	assert_gt(-es("un servicio lleno de incertidumbre"), 0.2);
	assert_gt(-es("qué despiadados con los clientes"), 0.3);
	assert_gt(es("el paquete llegó intacto y el envío fue un sosiego"), 0.2);
	/* exact keys: desdén, necesitado, temido, soso, sabiamente, feriado, terco, lag */
	assert_true(es("desde la tienda") == 0);
	assert_true(es("necesitamos una caja") == 0);
	assert_true(es("el tema del pedido") == 0);
	assert_true(es("vos sos de acá") == 0);
	assert_true(es("sabía que llegaba hoy") == 0);
	assert_true(es("la feria del barrio") == 0);
	assert_true(es("llegó el tercer día") == 0);
	assert_true(es("fuimos al lago") == 0);
}

/* The milder VADER entries (0.5 <= |mean| < 0.8) and the third pass of hand-rated emoji: each sentence
 * has no other rated word and scored exactly 0 before them ("tímido" was read as "timo"). */
static void test_es_milder_words_and_more_emoji(void **state)
{
	(void)state;
	assert_gt(-es("el vecino es un pringado"), 0.2);
	assert_gt(es("un precio inigualable"), 0.3);
	assert_gt(-es("hay desabastecimiento en la sucursal"), 0.2);
	assert_gt(es("un piso coqueto en el centro"), 0.2);
	/* "tímido" is no "timo" (same Snowball stem): mildly negative, not a swindle */
	assert_gt(-es("es un chico tímido"), 0.05);
	assert_gt(es("es un chico tímido"), es("es un timo"));
	/* exact keys: "sólido" is not "sol", "metódico" not "método", "rígido" not "rige" */
	assert_true(es("hace sol") == 0);
	assert_true(es("con este método") == 0);
	assert_true(es("la norma que rige") == 0);
	/* emoji people use in messages, with a skin tone or U+FE0F */
	assert_gt(es("👑"), 0.3);
	assert_gt(es("🥂🍾"), 0.5);
	assert_gt(-es("🥀"), 0.3);
	assert_gt(-es("🗑️"), 0.2);
	assert_gt(-es("🙎🏻‍♀️"), 0.2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_neutral),
		cmocka_unit_test(test_lexicon_words),
		cmocka_unit_test(test_es_inflections),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_negated_events),
		cmocka_unit_test(test_negation_scope_ends),
		cmocka_unit_test(test_boosters_and_dampeners),
		cmocka_unit_test(test_contrast),
		cmocka_unit_test(test_caps_and_elongation),
		cmocka_unit_test(test_punctuation),
		cmocka_unit_test(test_emoji_and_emoticons),
		cmocka_unit_test(test_idioms),
		cmocka_unit_test(test_sentences_and_contributions),
		cmocka_unit_test(test_language_choice),
		cmocka_unit_test(test_odd_input),
		cmocka_unit_test(test_es_everyday_words),
		cmocka_unit_test(test_es_diminutives),
		cmocka_unit_test(test_es_more_negated_events),
		cmocka_unit_test(test_es_not_negations),
		cmocka_unit_test(test_es_markers),
		cmocka_unit_test(test_es_wishes_and_questions),
		cmocka_unit_test(test_es_irony),
		cmocka_unit_test(test_es_rueful_laughter),
		cmocka_unit_test(test_es_lacking_demands_idioms),
		cmocka_unit_test(test_es_negativity_weight),
		cmocka_unit_test(test_emoji_gendered),
		cmocka_unit_test(test_hashtag_words),
		cmocka_unit_test(test_es_concession),
		cmocka_unit_test(test_es_closing_formula),
		cmocka_unit_test(test_es_decline),
		cmocka_unit_test(test_es_names),
		cmocka_unit_test(test_es_phatic),
		cmocka_unit_test(test_es_conditional_gran_idioms),
		cmocka_unit_test(test_es_scare_quotes),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_es_vader_translations),
		cmocka_unit_test(test_es_milder_words_and_more_emoji),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
