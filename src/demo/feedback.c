/*
 * feedback.c - the demo tenant's surveys and its customers' answers
 * (feedback.h).
 *
 * Four live surveys, in Spanish and English:
 *  - "NPS posventa (entrega)": by e-mail a day or two after a delivery;
 *    NPS, the delivery and the product rated 1-5, a follow-up by category.
 *  - "CSAT atención al cliente": right after a call (IVR) or a chat; CSAT,
 *    CES and whether the matter was solved.
 *  - "NPS tienda": on the store's tablet after a purchase; NPS and the
 *    adviser rated 1-5.
 *  - "NPS relacional": by e-mail every quarter, following no event; NPS of
 *    the whole relationship, which follows what the customer went through
 *    (demo_rel_leaning), the outcome the demo's journeys explain. Drawn from
 *    a stream of its own, so the other three surveys' answers are as they
 *    were before it existed.
 * Who answers, and how, follows what happened: late deliveries and
 * unresolved contacts pull scores down, long waits cost a point, each agent
 * has a steady effect, loyal customers lean up and leaving ones down; NPS
 * after a delivery is mostly the delivery and the product ratings. E-mail
 * invitations keep the default contact-fatigue rule (30 days), and are made
 * only for customers with an e-mail address. The texts of the surveys and
 * the comments are the demo's data, like its customers' names.
 */
#include "feedback.h"

#include "cxm/json.h"
#include "cxm/store.h"
#include "cxm/surveys.h"

#include <math.h>

#define DAY_US (86400LL * 1000000)
#define MIN_US (60LL * 1000000)
#define FATIGUE_US (30 * DAY_US)
#define LINK_DAYS 30

/* ---- the surveys ------------------------------------------------------------ */

enum { SV_DELIVERY, SV_CONTACT, SV_STORE, SV_RELATIONAL, N_SURVEYS };

static const char *const survey_json[N_SURVEYS] = {
	[SV_DELIVERY] =
		"{\"name\":\"NPS posventa (entrega)\",\"languages\":[\"es\",\"en\"],\"questions\":["
		"{\"id\":\"nps\",\"type\":\"nps\",\"required\":true,"
		"\"text\":{\"es\":\"¿Qué tan probable es que recomiende Casa Voltia a un amigo o familiar?\","
		"\"en\":\"How likely are you to recommend Casa Voltia to a friend or relative?\"},"
		"\"labels\":{\"low\":{\"es\":\"Nada probable\",\"en\":\"Not at all likely\"},"
		"\"high\":{\"es\":\"Muy probable\",\"en\":\"Extremely likely\"}}},"
		"{\"id\":\"delivery\",\"type\":\"rating\",\"min\":1,\"max\":5,"
		"\"text\":{\"es\":\"¿Cómo calificaría la entrega?\",\"en\":\"How would you rate the delivery?\"}},"
		"{\"id\":\"product\",\"type\":\"rating\",\"min\":1,\"max\":5,"
		"\"text\":{\"es\":\"¿Y el producto?\",\"en\":\"And the product?\"}},"
		"{\"id\":\"what_went_wrong\",\"type\":\"single_choice\","
		"\"show_if\":{\"question\":\"nps\",\"category\":\"detractor\"},"
		"\"text\":{\"es\":\"¿Qué fue lo peor?\",\"en\":\"What was the worst part?\"},\"options\":["
		"{\"id\":\"late\",\"text\":{\"es\":\"Llegó tarde\",\"en\":\"It arrived late\"}},"
		"{\"id\":\"no_info\",\"text\":{\"es\":\"No me informaron\",\"en\":\"Nobody kept me informed\"}},"
		"{\"id\":\"damaged\",\"text\":{\"es\":\"Llegó dañado\",\"en\":\"It arrived damaged\"}},"
		"{\"id\":\"product\",\"text\":{\"es\":\"El producto\",\"en\":\"The product\"}}]},"
		"{\"id\":\"liked\",\"type\":\"multiple_choice\","
		"\"show_if\":{\"question\":\"nps\",\"category\":\"promoter\"},"
		"\"text\":{\"es\":\"¿Qué le gustó?\",\"en\":\"What did you like?\"},\"options\":["
		"{\"id\":\"speed\",\"text\":{\"es\":\"La rapidez\",\"en\":\"How fast it was\"}},"
		"{\"id\":\"product\",\"text\":{\"es\":\"El producto\",\"en\":\"The product\"}},"
		"{\"id\":\"price\",\"text\":{\"es\":\"El precio\",\"en\":\"The price\"}}]}]}",
	[SV_CONTACT] =
		"{\"name\":\"CSAT atención al cliente\",\"languages\":[\"es\",\"en\"],\"questions\":["
		"{\"id\":\"csat\",\"type\":\"csat\",\"required\":true,"
		"\"text\":{\"es\":\"¿Qué tan satisfecho quedó con la atención?\","
		"\"en\":\"How satisfied are you with the service you received?\"}},"
		"{\"id\":\"ces\",\"type\":\"ces\","
		"\"text\":{\"es\":\"¿Qué tan fácil fue resolver su solicitud?\","
		"\"en\":\"How easy was it to get your request handled?\"}},"
		"{\"id\":\"solved\",\"type\":\"single_choice\","
		"\"text\":{\"es\":\"¿Quedó resuelto?\",\"en\":\"Was it solved?\"},\"options\":["
		"{\"id\":\"yes\",\"text\":{\"es\":\"Sí\",\"en\":\"Yes\"}},"
		"{\"id\":\"no\",\"text\":{\"es\":\"No\",\"en\":\"No\"}}]}]}",
	[SV_STORE] =
		"{\"name\":\"NPS tienda\",\"languages\":[\"es\",\"en\"],\"questions\":["
		"{\"id\":\"nps\",\"type\":\"nps\",\"required\":true,"
		"\"text\":{\"es\":\"¿Qué tan probable es que recomiende esta tienda?\","
		"\"en\":\"How likely are you to recommend this store?\"},"
		"\"labels\":{\"low\":{\"es\":\"Nada probable\",\"en\":\"Not at all likely\"},"
		"\"high\":{\"es\":\"Muy probable\",\"en\":\"Extremely likely\"}}},"
		"{\"id\":\"adviser\",\"type\":\"rating\",\"min\":1,\"max\":5,"
		"\"text\":{\"es\":\"¿Cómo le atendió nuestro asesor?\",\"en\":\"How did our adviser look after you?\"}}]}",
	[SV_RELATIONAL] =
		"{\"name\":\"NPS relacional\",\"languages\":[\"es\",\"en\"],\"questions\":["
		"{\"id\":\"nps\",\"type\":\"nps\",\"required\":true,"
		"\"text\":{\"es\":\"Pensando en toda su experiencia con Casa Voltia, ¿qué tan probable es que nos "
		"recomiende a un amigo o familiar?\",\"en\":\"Thinking of everything you have experienced with Casa "
		"Voltia, how likely are you to recommend us to a friend or relative?\"},"
		"\"labels\":{\"low\":{\"es\":\"Nada probable\",\"en\":\"Not at all likely\"},"
		"\"high\":{\"es\":\"Muy probable\",\"en\":\"Extremely likely\"}}}]}",
};

/* ---- comments ------------------------------------------------------------------ */

enum topic { T_LATE, T_DELIVERY_OK, T_PRODUCT_BAD, T_CONTACT_BAD, T_CONTACT_OK, T_STORE_BAD, T_STORE_OK, T_MIXED,
	     T_REL_DELIVERY, T_REL_SUPPORT, T_REL_GOOD, T_REL_MIXED, N_TOPICS };

static const char *const es_comments[N_TOPICS][6] = {
	[T_LATE] = { "El pedido llegó una semana tarde y nadie me avisó.", "Tardó muchísimo la entrega, pésimo.",
		     "La transportadora cambió la fecha tres veces. No vuelvo a pedir a domicilio.",
		     "Esperé todo el día en casa y no llegaron 😡", "Muy lenta la entrega, el producto bien.",
		     "Me tocó llamar dos veces para saber dónde estaba mi pedido." },
	[T_DELIVERY_OK] = { "Llegó antes de lo esperado, excelente servicio.", "Todo perfecto, muy rápido 👍",
			    "El repartidor fue muy amable y puntual.", "Buenísimooo, llegó al día siguiente.",
			    "Entrega rápida y bien empacado.", "Cumplieron con la fecha, gracias." },
	[T_PRODUCT_BAD] = { "El producto vino con un golpe en la puerta.", "No funciona como esperaba, regular.",
			    "La calidad no corresponde al precio.", "Vino sin el manual y sin un cable.",
			    "Hace ruido desde el primer día.", "Bonito pero poco práctico." },
	[T_CONTACT_BAD] = { "Me tuvieron en espera casi 20 minutos.", "Nadie me dio solución, me pasaron de un área a otra.",
			    "El asesor no sabía nada del pedido.", "Tengo que volver a llamar, no resolvieron nada.",
			    "Muy mala atención telefónica 😞", "Prometieron devolverme la llamada y nunca lo hicieron." },
	[T_CONTACT_OK] = { "La asesora fue muy amable y resolvió todo en una llamada.", "Rápido y claro, gracias.",
			   "Excelente atención por el chat.", "Me explicaron todo con paciencia.",
			   "Resolvieron mi problema sin complicaciones.", "Muy buena atención 🙂" },
	[T_STORE_BAD] = { "No había nadie para atender en la tienda.", "El asesor no conocía los productos.",
			  "Mucha fila para pagar.", "Precios más altos que en la página web." },
	[T_STORE_OK] = { "El asesor me ayudó a elegir la nevera perfecta.", "Tienda bonita y ordenada, buena atención.",
			 "Muy buen trato, volveré.", "Me atendieron rapidísimo." },
	[T_MIXED] = { "Bien, aunque podría ser más rápido.", "Normal, ni bueno ni malo.", "El precio es bueno pero la entrega regular.",
		      "Todo bien, pero la página web es confusa." },
	/* the relational survey: the whole relationship, mostly delivery and support */
	[T_REL_DELIVERY] = { "Los productos son buenos, pero la entrega siempre llega tarde.",
			     "Mi último pedido llegó con diez días de retraso y nadie me avisó.",
			     "La entrega a domicilio es el gran problema, tardan muchísimo.",
			     "Compro por los precios, pero la transportadora es pésima.",
			     "El pedido tardó dos semanas en llegar, así no vuelvo a comprar en línea." },
	[T_REL_SUPPORT] = { "Llamé varias veces al servicio al cliente y nunca resolvieron mi problema.",
			    "La atención telefónica es muy mala, me dejaron en espera y sin solución.",
			    "El soporte no resolvió nada, tuve que volver a llamar.",
			    "Nadie me dio solución a la garantía, muy mala atención.",
			    "El chat de soporte no sirve, me pasan de un asesor a otro." },
	[T_REL_GOOD] = { "Excelente experiencia: entrega rápida y muy buena atención.",
			 "Siempre cumplen con la entrega y el servicio al cliente es muy amable.",
			 "Me encanta comprar aquí, todo llega a tiempo 👍",
			 "Muy buena atención en la tienda y en el chat.",
			 "Buenos precios, entrega puntual y soporte rápido." },
	[T_REL_MIXED] = { "Bien en general, aunque la entrega podría ser más rápida.",
			  "Los productos bien, la atención telefónica regular.", "Normal, nada especial.",
			  "Buenos precios, pero el soporte tarda en responder." },
};

static const char *const en_comments[N_TOPICS][6] = {
	[T_LATE] = { "My order arrived a week late and nobody told me.", "Delivery took forever. Terrible.",
		     "The courier moved the date three times.", "Waited at home all day and they never came 😡",
		     "Very slow delivery, the product is fine.", "I had to call twice to find out where my order was." },
	[T_DELIVERY_OK] = { "Arrived earlier than expected, great service.", "All perfect, really fast 👍",
			    "The driver was friendly and on time.", "Sooo good, it came the next day.",
			    "Quick delivery and well packed.", "They kept to the date, thanks." },
	[T_PRODUCT_BAD] = { "The product came with a dent in the door.", "Doesn't work as I expected.",
			    "The quality is not worth the price.", "No manual and a cable missing.",
			    "It has been noisy since day one.", "Looks nice but not very practical." },
	[T_CONTACT_BAD] = { "I was on hold for almost 20 minutes.", "Nobody solved anything, they kept transferring me.",
			    "The agent knew nothing about my order.", "I have to call again, nothing was fixed.",
			    "Really poor phone support 😞", "They promised to call me back and never did." },
	[T_CONTACT_OK] = { "The agent was lovely and sorted everything in one call.", "Quick and clear, thank you.",
			   "Excellent help on the chat.", "They explained everything patiently.",
			   "Fixed my problem with no fuss.", "Very good service 🙂" },
	[T_STORE_BAD] = { "Nobody was around to help in the store.", "The adviser didn't know the products.",
			  "Long queue at the till.", "Prices higher than on the website." },
	[T_STORE_OK] = { "The adviser helped me pick the perfect fridge.", "Nice tidy store, good service.",
			 "Very friendly, I'll be back.", "I was served really quickly." },
	[T_MIXED] = { "Fine, though it could be faster.", "OK, nothing special.", "Good price but the delivery was so-so.",
		      "All good, but the website is confusing." },
	[T_REL_DELIVERY] = { "The products are good, but delivery is always late.",
			     "My last order arrived ten days late and nobody told me.",
			     "Home delivery is the big problem, it takes forever.",
			     "I buy for the prices, but the courier is terrible.",
			     "My order took two weeks to arrive, I won't order online again." },
	[T_REL_SUPPORT] = { "I called customer service several times and they never solved my problem.",
			    "Phone support is really poor, they left me on hold with no solution.",
			    "Support fixed nothing, I had to call again.",
			    "Nobody sorted out my warranty claim, awful service.",
			    "The support chat is useless, they keep passing me from one agent to another." },
	[T_REL_GOOD] = { "Great experience: fast delivery and really helpful service.",
			 "Deliveries always arrive on time and customer service is lovely.",
			 "I love shopping here, everything arrives on time 👍",
			 "Very good service in the store and on the chat.",
			 "Good prices, punctual delivery and quick support." },
	[T_REL_MIXED] = { "Fine overall, though delivery could be faster.", "Products are fine, phone support so-so.",
			  "OK, nothing special.", "Good prices, but support is slow to answer." },
};

static const char *comment_for(struct rng *r, bool en, enum topic t)
{
	const char *const *bank = en ? en_comments[t] : es_comments[t];
	size_t n = 0;

	while (n < 6 && bank[n])
		n++;
	return bank[below(r, n)];
}

/* ---- decisions ---------------------------------------------------------------- */

#define NO_EVENT SIZE_MAX /* a decided answer that follows no event */

struct decided {
	int survey;
	size_t batch_ix;      /* NO_EVENT for the relational survey */
	int64_t customer_id, ts, invited_at; /* invited_at: 0 when not an e-mail invitation */
	int64_t opened_at;                   /* an e-mail invitation opened (0: not) */
	bool answered, failed;
	const char *channel, *touchpoint, *agent, *language, *comment;
	int nps, csat, ces, rating_a, rating_b; /* -1 when not answered */
	const char *choice;                     /* a single choice, or NULL */
	const char *liked[3];
	size_t nliked;
};

struct demo_feedback {
	struct cxm_store *s;
	int64_t tenant, end;
	uint64_t seed;
	int64_t survey_id[N_SURVEYS];
	int version[N_SURVEYS];
	struct rng r;
	struct demo_fb_customer cust;
	int64_t last_invited;
	struct decided *d;
	size_t n, cap;
	int64_t responses, invitations, next_source;
	int64_t rel_responses, rel_invitations;
};

static int version_cb(const struct cxm_survey *sv, void *ctx)
{
	*(int *)ctx = sv->version;
	return 0;
}

int demo_feedback_new(struct cxm_store *s, int64_t tenant, uint64_t seed, int64_t end, struct demo_feedback **out)
{
	struct demo_feedback *f = xcalloc(1, sizeof(*f));
	int ret = 0;

	f->s = s;
	f->tenant = tenant;
	f->seed = seed;
	f->end = end;
	for (int i = 0; i < N_SURVEYS && !ret; i++) {
		struct cxm_survey_def def;
		char field[96], why[200];
		cJSON *tree = cJSON_Parse(survey_json[i]);
		char *text;

		if (!tree || cxm_survey_check(tree, &def, field, sizeof(field), why, sizeof(why)))
			BUG("a demo survey does not check");
		cxm_json_sort(tree);
		text = cxm_json_print(tree);
		ret = cxm_store_survey_create(s, tenant, def.name, text, false, &f->survey_id[i]);
		if (!ret)
			ret = cxm_store_survey_set_status(s, tenant, f->survey_id[i], "live");
		if (!ret)
			ret = cxm_store_survey_get(s, tenant, f->survey_id[i], 0, version_cb, &f->version[i]);
		free(text);
		cJSON_Delete(tree);
	}
	if (ret) {
		demo_feedback_free(f);
		f = NULL;
	}
	*out = f;
	return ret;
}

void demo_feedback_customer(struct demo_feedback *f, int64_t n, const struct demo_fb_customer *c)
{
	rng_init(&f->r, f->seed ^ 0xFEEDBACC0FFEEull, (uint64_t)n);
	f->cust = *c;
	f->last_invited = 0;
}

/* A steady effect of each agent on how customers rate them: -2 .. +1. */
static int agent_effect(const char *agent)
{
	uint64_t h = 0xCBF29CE484222325ull;

	if (!agent)
		return 0;
	for (const char *p = agent; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001B3ull;
	return (int)(fmix64(h) % 4) - 2; /* -2, -1, 0, +1 */
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* 1-5 from weights of 1..5. */
static int rate(struct rng *r, const unsigned w[5])
{
	return (int)pick_weighted(r, w, 5) + 1;
}

static struct decided *push(struct demo_feedback *f)
{
	struct decided *d;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		f->d = xrealloc(f->d, f->cap * sizeof(*f->d));
	}
	d = &f->d[f->n++];
	memset(d, 0, sizeof(*d));
	d->nps = d->csat = d->ces = d->rating_a = d->rating_b = -1;
	d->customer_id = f->cust.id;
	d->language = f->cust.language;
	return d;
}

static void delivery(struct demo_feedback *f, const struct demo_fb_chance *ch, size_t ix)
{
	static const unsigned on_time[5] = { 2, 3, 10, 35, 50 }, late[5] = { 30, 35, 22, 10, 3 };
	static const unsigned product_w[5][5] = { { 15, 20, 30, 25, 10 }, { 6, 12, 27, 35, 20 }, { 3, 7, 20, 40, 30 },
						  { 2, 5, 15, 40, 38 }, { 1, 3, 10, 38, 48 } };
	struct rng *r = &f->r;
	int64_t sent = ch->ts + between(r, 20, 44) * 60 * MIN_US;
	struct decided *d;
	double x;

	/* asked by e-mail: those with an address, at most once a month */
	if (!f->cust.has_email || !chance(r, 700) || (f->last_invited && sent - f->last_invited < FATIGUE_US) ||
	    sent >= f->end)
		return;
	f->last_invited = sent;
	d = push(f);
	d->survey = SV_DELIVERY;
	d->batch_ix = ix;
	d->invited_at = sent;
	d->channel = "email";
	d->touchpoint = ch->touchpoint;
	d->failed = chance(r, 15);
	if (d->failed || !chance(r, 520))
		return;
	d->opened_at = sent + between(r, 5, 60 * 30) * MIN_US;
	d->ts = d->opened_at + between(r, 1, 6) * MIN_US;
	if (d->ts >= f->end || !chance(r, 620)) {
		d->ts = 0;
		if (d->opened_at >= f->end)
			d->opened_at = 0;
		return;
	}
	d->answered = true;
	d->rating_a = rate(r, ch->bad ? late : on_time);
	d->rating_b = rate(r, product_w[clamp(f->cust.mood + 2, 0, 4)]);
	x = 0.95 * d->rating_a + 0.8 * d->rating_b + 0.9 + 0.45 * f->cust.mood + (double)between(r, -12, 12) / 10.0;
	d->nps = clamp((int)lround(x), 0, 10);
	if (d->nps <= 6) {
		d->choice = ch->bad ? "late" : d->rating_b <= 2 ? "product" : chance(r, 500) ? "no_info" : "damaged";
	} else if (d->nps >= 9) {
		if (d->rating_a >= 4)
			d->liked[d->nliked++] = "speed";
		if (d->rating_b >= 4)
			d->liked[d->nliked++] = "product";
		if (chance(r, 300))
			d->liked[d->nliked++] = "price";
		if (!d->nliked)
			d->liked[d->nliked++] = "price";
	}
	if (chance(r, 550)) {
		bool en = !strcmp(f->cust.language, "en");
		enum topic t = d->nps >= 9 ? T_DELIVERY_OK : d->nps >= 7 ? T_MIXED : ch->bad ? T_LATE
							      : d->rating_b <= 2 ? T_PRODUCT_BAD : T_LATE;
		d->comment = comment_for(r, en, t);
	}
}

static void contact(struct demo_feedback *f, const struct demo_fb_chance *ch, size_t ix)
{
	static const unsigned solved_w[5] = { 3, 5, 12, 35, 45 }, unsolved_w[5] = { 25, 30, 25, 15, 5 };
	struct rng *r = &f->r;
	struct decided *d;
	int effect = agent_effect(ch->agent);

	if (!chance(r, 300))
		return;
	d = push(f);
	d->survey = SV_CONTACT;
	d->batch_ix = ix;
	d->channel = ch->channel;
	d->touchpoint = ch->touchpoint;
	d->agent = ch->agent;
	d->ts = ch->ts + between(r, 2, 40) * MIN_US;
	if (d->ts >= f->end) {
		f->n--;
		return;
	}
	d->answered = true;
	d->csat = rate(r, ch->bad ? unsolved_w : solved_w);
	if (ch->wait_s > 300 && chance(r, 500))
		d->csat--;
	if (effect < 0 && chance(r, effect == -2 ? 500 : 250))
		d->csat--;
	if (effect > 0 && chance(r, 350))
		d->csat++;
	d->csat = clamp(d->csat, 1, 5);
	d->ces = clamp(ch->bad ? (int)between(r, 1, 4) : (int)between(r, 4, 7), 1, 7);
	d->choice = ch->bad ? "no" : "yes";
	if (chance(r, 450)) {
		bool en = !strcmp(f->cust.language, "en");
		d->comment = comment_for(r, en, d->csat >= 4 ? T_CONTACT_OK : d->csat == 3 ? T_MIXED : T_CONTACT_BAD);
	}
}

static void store(struct demo_feedback *f, const struct demo_fb_chance *ch, size_t ix)
{
	static const unsigned adviser_w[4][5] = { { 10, 20, 35, 25, 10 }, { 4, 10, 26, 38, 22 }, { 2, 4, 14, 40, 40 },
						  { 1, 2, 7, 30, 60 } };
	struct rng *r = &f->r;
	struct decided *d;
	double x;

	if (!chance(r, 220))
		return;
	d = push(f);
	d->survey = SV_STORE;
	d->batch_ix = ix;
	d->channel = "store";
	d->touchpoint = "store_tablet";
	d->agent = ch->agent;
	d->ts = ch->ts + between(r, 2, 12) * MIN_US;
	if (d->ts >= f->end) {
		f->n--;
		return;
	}
	d->answered = true;
	d->rating_a = rate(r, adviser_w[agent_effect(ch->agent) + 2]);
	x = 1.45 * d->rating_a + 1.9 + 0.4 * f->cust.mood + (double)between(r, -12, 12) / 10.0;
	d->nps = clamp((int)lround(x), 0, 10);
	if (chance(r, 350)) {
		bool en = !strcmp(f->cust.language, "en");
		d->comment = comment_for(r, en, d->nps >= 9 ? T_STORE_OK : d->nps >= 7 ? T_MIXED : T_STORE_BAD);
	}
}

double demo_rel_leaning(int mood, const struct demo_rel_fact *facts, size_t n, int64_t t)
{
	bool late = false, unresolved = false;
	const struct demo_rel_fact *store = NULL;
	double x = 7.6 + 0.8 * mood;

	for (size_t i = 0; i < n; i++) {
		const struct demo_rel_fact *e = &facts[i];
		if (e->ts > t || e->ts <= t - DEMO_REL_MEMORY_US)
			continue;
		late = late || e->kind == REL_LATE;
		unresolved = unresolved || e->kind == REL_UNRESOLVED;
		if (e->kind == REL_STORE && (!store || e->ts > store->ts))
			store = e;
	}
	x -= late ? 2.6 : 0;
	x -= unresolved ? 2.2 : 0;
	if (store)
		x += 0.5 * agent_effect(store->agent);
	return x < 0 ? 0 : x > 10 ? 10 : x;
}

/* Whether the current customer has an invitation within FATIGUE_US of t. */
static bool invited_near(const struct demo_feedback *f, int64_t t)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct decided *d = &f->d[i];
		if (d->customer_id == f->cust.id && d->invited_at && d->invited_at > t - FATIGUE_US &&
		    d->invited_at < t + FATIGUE_US)
			return true;
	}
	return false;
}

void demo_feedback_relational(struct demo_feedback *f, int64_t n, const int64_t *sends, size_t n_sends, int64_t lo,
			      int64_t hi, const struct demo_rel_fact *facts, size_t n_facts)
{
	struct rng r;

	/* a stream of its own: the other surveys' answers stay as they were */
	rng_init(&r, f->seed ^ 0x72656C6174696FULL, (uint64_t)n);
	for (size_t k = 0; k < n_sends; k++) {
		int64_t sent = sends[k] + between(&r, 0, 8 * 60) * MIN_US;
		bool en = !strcmp(f->cust.language, "en");
		bool late = false, unresolved = false;
		struct decided *d;
		double x;

		if (!f->cust.has_email || sent < lo || sent >= hi || sent >= f->end || !chance(&r, 450) ||
		    invited_near(f, sent))
			continue;
		d = push(f);
		d->survey = SV_RELATIONAL;
		d->batch_ix = NO_EVENT;
		d->invited_at = sent;
		d->channel = "email";
		d->touchpoint = "relationship";
		d->failed = chance(&r, 15);
		if (d->failed || !chance(&r, 400))
			continue;
		d->opened_at = sent + between(&r, 5, 60 * 48) * MIN_US;
		d->ts = d->opened_at + between(&r, 1, 5) * MIN_US;
		if (d->ts >= f->end || !chance(&r, 600)) {
			d->ts = 0;
			if (d->opened_at >= f->end)
				d->opened_at = 0;
			continue;
		}
		d->answered = true;
		x = demo_rel_leaning(f->cust.mood, facts, n_facts, d->ts) + (double)between(&r, -15, 15) / 10.0;
		d->nps = clamp((int)lround(x), 0, 10);
		if (!chance(&r, 500))
			continue;
		for (size_t i = 0; i < n_facts; i++) {
			if (facts[i].ts > d->ts || facts[i].ts <= d->ts - DEMO_REL_MEMORY_US)
				continue;
			late = late || facts[i].kind == REL_LATE;
			unresolved = unresolved || facts[i].kind == REL_UNRESOLVED;
		}
		d->comment = comment_for(&r, en, d->nps >= 9 ? T_REL_GOOD : d->nps >= 7 ? T_REL_MIXED
						 : late && (!unresolved || chance(&r, 500)) ? T_REL_DELIVERY
						 : unresolved ? T_REL_SUPPORT : T_REL_MIXED);
	}
}

int64_t demo_feedback_relational_id(const struct demo_feedback *f)
{
	return f->survey_id[SV_RELATIONAL];
}

void demo_feedback_chance(struct demo_feedback *f, const struct demo_fb_chance *ch, size_t batch_ix)
{
	switch (ch->kind) {
	case FB_DELIVERED: delivery(f, ch, batch_ix); break;
	case FB_CONTACT: contact(f, ch, batch_ix); break;
	case FB_STORE: store(f, ch, batch_ix); break;
	case FB_NONE: break;
	}
}

/* ---- storing ------------------------------------------------------------------ */

static cJSON *answers_of(const struct decided *d)
{
	cJSON *a = cJSON_CreateObject();

	if (d->nps >= 0)
		cJSON_AddNumberToObject(a, "nps", d->nps);
	if (d->csat >= 0)
		cJSON_AddNumberToObject(a, "csat", d->csat);
	if (d->ces >= 0)
		cJSON_AddNumberToObject(a, "ces", d->ces);
	switch (d->survey) {
	case SV_DELIVERY:
		cJSON_AddNumberToObject(a, "delivery", d->rating_a);
		cJSON_AddNumberToObject(a, "product", d->rating_b);
		if (d->choice)
			cJSON_AddStringToObject(a, "what_went_wrong", d->choice);
		if (d->nliked) {
			cJSON *l = cJSON_AddArrayToObject(a, "liked");
			for (size_t i = 0; i < d->nliked; i++)
				cJSON_AddItemToArray(l, cJSON_CreateString(d->liked[i]));
		}
		break;
	case SV_CONTACT: cJSON_AddStringToObject(a, "solved", d->choice); break;
	case SV_STORE: cJSON_AddNumberToObject(a, "adviser", d->rating_a); break;
	}
	return a;
}

static int store_one(struct demo_feedback *f, const struct decided *d, const struct cxm_event *ev)
{
	struct cxm_response_out out = { 0 };
	char source[48], field[96], why[300];
	int ret = 0;

	if (d->answered) {
		cJSON *answers = answers_of(d);
		struct cxm_response_in in = { .source_id = source, .survey_id = f->survey_id[d->survey],
					      .customer_id = d->customer_id, .channel = d->channel,
					      .touchpoint = d->touchpoint, .event_id = ev ? ev->id : 0, .agent = d->agent,
					      .ts = d->ts, .language = d->language, .answers = answers,
					      .comment = d->comment, .historic = true };
		cxm_xsnprintf(source, sizeof(source), "demo-response-%llu-%09lld", (unsigned long long)f->seed,
			      (long long)++f->next_source);
		ret = cxm_response_submit(f->s, f->tenant, &in, &out, field, sizeof(field), why, sizeof(why));
		if (ret == CXM_EINVAL || ret == CXM_ENOTFOUND || ret == CXM_ECONFLICT)
			BUG("a demo response was refused");
		cJSON_Delete(answers);
		if (ret)
			return ret;
		if (d->survey == SV_RELATIONAL)
			f->rel_responses++;
		else
			f->responses++;
	}
	if (d->invited_at) {
		struct cxm_invitation inv = {
			.survey_id = f->survey_id[d->survey],
			.customer_id = d->customer_id,
			.channel = "email",
			.status = d->failed ? "failed" : d->answered ? "answered" : d->opened_at ? "opened" : "delivered",
			.created_at = d->invited_at,
			.expires_at = d->invited_at + LINK_DAYS * DAY_US,
			.opened_at = d->opened_at,
			.answered_at = d->answered ? d->ts : 0,
			.response_id = d->answered ? out.response_id : 0,
			/* the relay took every message; some mailboxes did not exist */
			.sent_at = d->invited_at + 2 * 1000000,
			.delivered_at = d->failed ? 0 : d->opened_at ? d->opened_at : d->invited_at + 60 * 1000000,
			.failure = d->failed ? "bounced: 550 5.1.1 mailbox unavailable" : NULL,
		};
		if ((ret = cxm_store_invitation_record(f->s, f->tenant, &inv, NULL)))
			return ret;
		if (d->survey == SV_RELATIONAL)
			f->rel_invitations++;
		else
			f->invitations++;
	}
	return 0;
}

int demo_feedback_flush(struct demo_feedback *f, const struct cxm_event *batch)
{
	int ret = 0;

	for (size_t i = 0; i < f->n && !ret; i++)
		ret = store_one(f, &f->d[i], f->d[i].batch_ix == NO_EVENT ? NULL : &batch[f->d[i].batch_ix]);
	f->n = 0;
	return ret;
}

void demo_feedback_counts(const struct demo_feedback *f, int64_t *responses, int64_t *invitations)
{
	*responses = f ? f->responses : 0;
	*invitations = f ? f->invitations : 0;
}

void demo_feedback_relational_counts(const struct demo_feedback *f, int64_t *responses, int64_t *invitations)
{
	*responses = f ? f->rel_responses : 0;
	*invitations = f ? f->rel_invitations : 0;
}

void demo_feedback_free(struct demo_feedback *f)
{
	if (!f)
		return;
	free(f->d);
	free(f);
}
