/* test_def.c - journey definitions: every refusal with its field and its
 * English and Spanish reason, two valid journeys (retail, a branching call
 * centre), the canonical form and its round trip, node numbers and which
 * touchpoint an event reaches. */
#include "testutil.h"

#include "cxm/i18n.h"
#include "cxm/journey.h"
#include "cxm/json.h"

/* JSON written with ' for " (the texts below hold no apostrophes). */
static cJSON *parse(const char *text)
{
	char *t = strdup(text), err[200];
	cJSON *j;

	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = cxm_json_parse(t, strlen(t), err, sizeof(err));
	if (!j)
		fail_msg("%s: %s", text, err);
	free(t);
	return j;
}

#define RETAIL                                                                                                  \
	"{'name': 'Compra online', 'conversion_window': '720h', 'outcome_survey_id': '123',"                    \
	" 'stages': ["                                                                                          \
	"  {'key': 'descubrimiento', 'name': 'Descubrimiento', 'phase': 'before', 'touchpoints': ["             \
	"    {'key': 'anuncios', 'name': 'Anuncios', 'match': {'type': 'ad_click', 'channel': 'SOCIAL'}},"      \
	"    {'key': 'newsletter', 'match': {'type': 'email_click', 'touchpoint': 'newsletter'}}]},"            \
	"  {'key': 'consideracion', 'name': 'Consideración', 'phase': 'before', 'touchpoints': ["               \
	"    {'key': 'ficha', 'match': {'type': 'page_view', 'touchpoint': ['product', 'compare']}}]},"         \
	"  {'key': 'compra', 'name': 'Compra', 'phase': 'during', 'touchpoints': ["                             \
	"    {'key': 'checkout_web', 'match': {'type': 'purchase', 'channel': 'web', 'touchpoint': ['checkout']}," \
	"     'feedback': ['checkout', 'pago']},"                                                               \
	"    {'key': 'tienda', 'match': {'type': 'purchase', 'channel': 'store'}}]},"                           \
	"  {'key': 'entrega', 'name': 'Entrega', 'phase': 'after', 'touchpoints': ["                            \
	"    {'key': 'entregado', 'match': {'type': 'delivery', 'properties': {'status': 'ok'}}},"              \
	"    {'key': 'fallida', 'match': {'type': 'delivery', 'properties': {'status': 'failed'}}}]}]}"

#define CALLS                                                                                                   \
	"{'name': 'Centro de llamadas', 'stages': ["                                                            \
	"  {'key': 'llamada', 'name': 'Llamada', 'phase': 'during', 'touchpoints': ["                           \
	"    {'key': 'entrante', 'match': {'type': 'call', 'channel': 'phone'}}], 'next': ['resolucion']},"     \
	"  {'key': 'resolucion', 'name': 'Resolución', 'phase': 'during', 'touchpoints': ["                     \
	"    {'key': 'resuelta', 'match': {'type': 'ticket_closed'}}], 'next': ['seguimiento', 'escalado']},"   \
	"  {'key': 'escalado', 'name': 'Escalado', 'phase': 'during', 'touchpoints': ["                         \
	"    {'key': 'supervisor', 'match': {'type': 'escalation'}}], 'next': ['seguimiento']},"                \
	"  {'key': 'seguimiento', 'name': 'Seguimiento', 'phase': 'after', 'touchpoints': ["                    \
	"    {'key': 'encuesta', 'match': {'type': 'survey_sent'}}]}]}"

static void check_ok(const char *text, cJSON **j, struct cxm_journey_def *d)
{
	char field[128], why[512];

	*j = parse(text);
	if (cxm_journey_check(*j, d, field, sizeof(field), why, sizeof(why)))
		fail_msg("refused: %s: %s", field, why);
}

static void test_retail(void **state)
{
	struct cxm_journey_def d;
	cJSON *j;
	(void)state;

	check_ok(RETAIL, &j, &d);
	assert_string_equal(d.name, "Compra online");
	assert_int_equal(d.window_s, 30 * 86400);
	assert_int_equal(d.outcome_survey_id, 123);
	assert_int_equal(d.n_stages, 4);
	assert_int_equal(d.n_tps, 7);
	assert_int_equal(d.stages[0].phase, CXM_PHASE_BEFORE);
	assert_int_equal(d.stages[2].phase, CXM_PHASE_DURING);
	assert_int_equal(d.stages[3].phase, CXM_PHASE_AFTER);
	assert_string_equal(d.stages[1].name, "Consideración");
	/* next defaults to the following stage; the last has none */
	assert_int_equal(d.stages[0].next_n, 1);
	assert_int_equal(d.stages[0].next[0], 1);
	assert_int_equal(d.stages[2].next[0], 3);
	assert_int_equal(d.stages[3].next_n, 0);
	assert_int_equal(d.stages[2].first_tp, 3);
	assert_int_equal(d.stages[2].n_tp, 2);
	/* the channel normalised, a name defaulting to the key, feedback */
	assert_string_equal(d.tps[0].match.channel, "social");
	assert_string_equal(d.tps[1].name, "newsletter");
	assert_int_equal(d.tps[1].feedback_n, 1);
	assert_string_equal(d.tps[1].feedback[0], "newsletter");
	assert_int_equal(d.tps[2].match.touchpoints_n, 2);
	assert_int_equal(d.tps[2].feedback_n, 2);
	assert_int_equal(d.tps[3].feedback_n, 2);
	assert_string_equal(d.tps[3].feedback[1], "pago");
	assert_int_equal(d.tps[4].feedback_n, 0);
	assert_int_equal(d.tps[4].stage, 2);
	assert_true(cxm_journey_needs_properties(&d));

	/* nodes */
	assert_int_equal(cxm_journey_node_find(&d, "compra"), 2);
	assert_int_equal(cxm_journey_node_find(&d, "compra.tienda"), CXM_JOURNEY_STAGES_MAX + 4);
	assert_int_equal(cxm_journey_node_find(&d, "tienda"), CXM_JOURNEY_STAGES_MAX + 4);
	assert_int_equal(cxm_journey_node_find(&d, "entrega.tienda"), -1);
	assert_int_equal(cxm_journey_node_find(&d, "nada"), -1);
	assert_int_equal(cxm_journey_node_find(&d, "nada.tienda"), -1);
	assert_int_equal(cxm_journey_node_stage(&d, 3), 3);
	assert_int_equal(cxm_journey_node_stage(&d, CXM_JOURNEY_STAGES_MAX + 6), 3);
	assert_int_equal(cxm_journey_node_stage(&d, CXM_JOURNEY_STAGES_MAX + 7), -1);
	assert_int_equal(cxm_journey_node_stage(&d, 4), -1);
	assert_string_equal(cxm_phase_name(CXM_PHASE_AFTER), "after");

	/* matching */
	assert_int_equal(cxm_journey_match_event(&d, "ad_click", "social", NULL, NULL), 0);
	assert_int_equal(cxm_journey_match_event(&d, "ad_click", "web", NULL, NULL), -1);
	assert_int_equal(cxm_journey_match_event(&d, "ad_click", NULL, NULL, NULL), -1);
	assert_int_equal(cxm_journey_match_event(&d, "email_click", "email", "newsletter", NULL), 1);
	assert_int_equal(cxm_journey_match_event(&d, "email_click", "email", "promo", NULL), -1);
	assert_int_equal(cxm_journey_match_event(&d, "email_click", "email", NULL, NULL), -1);
	assert_int_equal(cxm_journey_match_event(&d, "page_view", "app", "compare", NULL), 2);
	assert_int_equal(cxm_journey_match_event(&d, "purchase", "web", "checkout", NULL), 3);
	assert_int_equal(cxm_journey_match_event(&d, "purchase", "web", "cart", NULL), -1);
	assert_int_equal(cxm_journey_match_event(&d, "purchase", "store", "caja", NULL), 4);
	assert_int_equal(cxm_journey_match_event(&d, "delivery", "store", NULL, "{\"status\":\"ok\",\"n\":1}"), 5);
	assert_int_equal(cxm_journey_match_event(&d, "delivery", "store", NULL, "{\"status\":\"failed\"}"), 6);
	assert_int_equal(cxm_journey_match_event(&d, "delivery", "store", NULL, "{\"status\":\"late\"}"), -1);
	assert_int_equal(cxm_journey_match_event(&d, "delivery", "store", NULL, NULL), -1);
	assert_int_equal(cxm_journey_match_event(&d, "delivery", "store", NULL, "not json"), -1);
	assert_int_equal(cxm_journey_match_event(&d, "refund", "store", NULL, NULL), -1);
	assert_int_equal(cxm_journey_match_event(&d, NULL, "store", NULL, NULL), -1);
	cJSON_Delete(j);
}

static void test_call_centre(void **state)
{
	struct cxm_journey_def d;
	cJSON *j;
	(void)state;

	check_ok(CALLS, &j, &d);
	assert_int_equal(d.window_s, CXM_JOURNEY_WINDOW_DEFAULT);
	assert_int_equal(d.outcome_survey_id, 0);
	assert_int_equal(d.stages[1].next_n, 2);
	assert_int_equal(d.stages[1].next[0], 3);
	assert_int_equal(d.stages[1].next[1], 2);
	assert_int_equal(d.stages[2].next[0], 3);
	assert_int_equal(d.stages[3].next_n, 0);
	assert_false(cxm_journey_needs_properties(&d));
	assert_int_equal(cxm_journey_match_event(&d, "escalation", "chat", NULL, NULL), 2);
	cJSON_Delete(j);
}

/* Property conditions: equal strings, numbers and booleans; rules apart by
 * one property's value (or its type) do not overlap. */
static void test_properties(void **state)
{
	struct cxm_journey_def d;
	cJSON *j;
	(void)state;

	check_ok("{'name': 'p', 'stages': [{'key': 'a', 'phase': 'during', 'touchpoints': ["
		 " {'key': 'num', 'match': {'type': 'call', 'properties': {'n': 2, 'vip': true}}},"
		 " {'key': 'txt', 'match': {'type': 'call', 'properties': {'n': '2'}}},"
		 " {'key': 'other', 'match': {'type': 'call', 'channel': 'chat', 'properties': {'n': 3}}}]}]}",
		 &j, &d);
	assert_true(cxm_journey_needs_properties(&d));
	assert_int_equal(cxm_journey_match_event(&d, "call", "phone", NULL, "{\"n\":2.0,\"vip\":true,\"x\":0}"), 0);
	assert_int_equal(cxm_journey_match_event(&d, "call", "phone", NULL, "{\"n\":2,\"vip\":false}"), -1);
	assert_int_equal(cxm_journey_match_event(&d, "call", "phone", NULL, "{\"n\":2,\"vip\":1}"), -1);
	assert_int_equal(cxm_journey_match_event(&d, "call", "phone", NULL, "{\"n\":\"2\",\"vip\":true}"), 1);
	assert_int_equal(cxm_journey_match_event(&d, "call", "chat", NULL, "{\"n\":3}"), 2);
	assert_int_equal(cxm_journey_match_event(&d, "call", "phone", NULL, "{\"n\":3}"), -1);
	assert_int_equal(cxm_journey_match_event(&d, "call", "chat", NULL, "{}"), -1);
	cJSON_Delete(j);
}

/* The canonical form: defaults filled in, fixed order, and a fixed point. */
static void round_trip(const char *text)
{
	struct cxm_journey_def d, d2;
	char field[128], why[512], *a, *b;
	cJSON *j, *c, *c2;

	check_ok(text, &j, &d);
	c = cxm_journey_to_json(&d);
	if (cxm_journey_check(c, &d2, field, sizeof(field), why, sizeof(why)))
		fail_msg("canonical form refused: %s: %s", field, why);
	c2 = cxm_journey_to_json(&d2);
	a = cJSON_PrintUnformatted(c);
	b = cJSON_PrintUnformatted(c2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	cJSON_Delete(c2);
	cJSON_Delete(c);
	cJSON_Delete(j);
}

static void test_canonical(void **state)
{
	struct cxm_journey_def d;
	cJSON *j, *c;
	char *s;
	(void)state;

	round_trip(RETAIL);
	round_trip(CALLS);
	check_ok("{'name': 'x', 'stages': [{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't',"
		 " 'match': {'type': 'call', 'touchpoint': 'ivr'}}]}]}",
		 &j, &d);
	c = cxm_journey_to_json(&d);
	s = cJSON_PrintUnformatted(c);
	assert_string_equal(s, "{\"name\":\"x\",\"conversion_window\":\"30d\",\"stages\":[{\"key\":\"a\",\"name\":\"a\","
			       "\"phase\":\"during\",\"touchpoints\":[{\"key\":\"t\",\"name\":\"t\",\"match\":"
			       "{\"type\":\"call\",\"touchpoint\":[\"ivr\"]},\"feedback\":[\"ivr\"]}],\"next\":[]}]}");
	free(s);
	cJSON_Delete(c);
	cJSON_Delete(j);
	check_ok(RETAIL, &j, &d);
	c = cxm_journey_to_json(&d);
	s = cJSON_PrintUnformatted(c);
	assert_non_null(strstr(s, "\"conversion_window\":\"30d\""));
	assert_non_null(strstr(s, "\"outcome_survey_id\":\"123\""));
	assert_non_null(strstr(s, "\"match\":{\"type\":\"delivery\",\"properties\":{\"status\":\"ok\"}}"));
	assert_non_null(strstr(s, "\"next\":[\"consideracion\"]"));
	free(s);
	cJSON_Delete(c);
	cJSON_Delete(j);
}

/* A one-stage journey around a stage's text, a touchpoint's text. */
#define ONE(stage) "{'name': 'j', 'stages': [" stage "]}"
#define TP(m) "{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': " m "}]}"

static const struct bad {
	const char *json, *field, *en, *es;
} bads[] = {
	{ "[]", "", "must be a JSON object", "debe ser un objeto JSON" },
	{ "{'name': 'j', 'stages': [], 'colour': 1}", "colour", "unknown field 'colour'", "campo desconocido 'colour'" },
	{ "{'stages': []}", "name", "is required", "es obligatorio" },
	{ "{'name': 3}", "name", "must be a string", "debe ser un texto" },
	{ "{'name': ''}", "name", "must have 1 to 120 bytes", "debe tener de 1 a 120 bytes" },
	{ "{'name': 'a\\u0001b'}", "name", "control character", "carácter de control" },
	{ "{'name': 'j'}", "stages", "a journey needs 1 to 16 stages", "un recorrido necesita de 1 a 16 etapas" },
	{ "{'name': 'j', 'stages': []}", "stages", "1 to 16 stages", "de 1 a 16 etapas" },
	{ "{'name': 'j', 'stages': {}}", "stages", "must be a list", "debe ser una lista" },
	{ "{'name': 'j', 'conversion_window': '30m', 'stages': []}", "conversion_window", "from 1h to 365d, such as 30d",
	  "de 1h a 365d, como 30d" },
	{ "{'name': 'j', 'conversion_window': '366d', 'stages': []}", "conversion_window", "from 1h to 365d",
	  "de 1h a 365d" },
	{ "{'name': 'j', 'conversion_window': 30, 'stages': []}", "conversion_window", "must be a string",
	  "debe ser un texto" },
	{ "{'name': 'j', 'outcome_survey_id': 'x1', 'stages': []}", "outcome_survey_id", "must be an id",
	  "debe ser un id" },
	{ "{'name': 'j', 'outcome_survey_id': '-1', 'stages': []}", "outcome_survey_id", "must be an id",
	  "debe ser un id" },
	{ "{'name': 'j', 'outcome_survey_id': 123, 'stages': []}", "outcome_survey_id", "must be a string",
	  "debe ser un texto" },
	{ ONE("3"), "stages[0]", "must be a JSON object", "debe ser un objeto JSON" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [], 'x': 1}"), "stages[0].x", "unknown field 'x'",
	  "campo desconocido 'x'" },
	{ ONE("{'phase': 'during'}"), "stages[0].key", "is required", "es obligatorio" },
	{ ONE("{'key': 'Compra', 'phase': 'during'}"), "stages[0].key", "1 to 64 lower case letters",
	  "de 1 a 64 minúsculas" },
	{ ONE("{'key': 'a', 'phase': 'soon'}"), "stages[0].phase", "must be before, during or after",
	  "debe ser before, during o after" },
	{ ONE("{'key': 'a'}"), "stages[0].phase", "is required", "es obligatorio" },
	{ ONE("{'key': 'a', 'name': '', 'phase': 'during'}"), "stages[0].name", "1 to 120 bytes", "de 1 a 120 bytes" },
	{ ONE("{'key': 'uso', 'name': 'Uso', 'phase': 'after', 'touchpoints': []}"), "stages[0].touchpoints",
	  "stage 'Uso' has no touchpoint: no event can reach it",
	  "la etapa 'Uso' no tiene puntos de contacto: ningún evento puede llegar a ella" },
	{ ONE("{'key': 'uso', 'phase': 'after'}"), "stages[0].touchpoints", "stage 'uso' has no touchpoint",
	  "la etapa 'uso' no tiene puntos de contacto" },
	{ ONE("{'key': 'uso', 'phase': 'after', 'touchpoints': {}}"), "stages[0].touchpoints", "must be a list",
	  "debe ser una lista" },
	{ ONE(TP("{'type': 'call'}") ", " TP("{'type': 'sms'}")), "stages[1].key",
	  "'a' is already a stage of this journey", "'a' ya es una etapa de este recorrido" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [3]}"), "stages[0].touchpoints[0]",
	  "must be a JSON object", "debe ser un objeto JSON" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'match': {'type': 'x'}}]}"),
	  "stages[0].touchpoints[0].key", "is required", "es obligatorio" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'x'}, 'y': 0}]}"),
	  "stages[0].touchpoints[0].y", "unknown field 'y'", "campo desconocido 'y'" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't'}]}"), "stages[0].touchpoints[0].match",
	  "is required", "es obligatorio" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'x'}},"
	      " {'key': 't', 'match': {'type': 'y'}}]}"),
	  "stages[0].touchpoints[1].key", "'t' is already a touchpoint of this journey",
	  "'t' ya es un punto de contacto de este recorrido" },
	{ ONE(TP("{'type': 'call'}") ", {'key': 'b', 'phase': 'after', 'touchpoints': [{'key': 't', 'match':"
				     " {'type': 'sms'}}]}"),
	  "stages[1].touchpoints[0].key", "'t' is already a touchpoint", "'t' ya es un punto de contacto" },
	{ ONE(TP("{'channel': 'web'}")), "stages[0].touchpoints[0].match.type", "is required", "es obligatorio" },
	{ ONE(TP("{'type': 'Call Made'}")), "stages[0].touchpoints[0].match.type", "is not an event type",
	  "no es un tipo de evento" },
	{ ONE(TP("{'type': 'call', 'channel': 'fax'}")), "stages[0].touchpoints[0].match.channel",
	  "'fax' is not a channel", "'fax' no es un canal" },
	{ ONE(TP("{'type': 'call', 'when': 'now'}")), "stages[0].touchpoints[0].match.when", "unknown field 'when'",
	  "campo desconocido 'when'" },
	{ ONE(TP("[]")), "stages[0].touchpoints[0].match", "must be a JSON object", "debe ser un objeto JSON" },
	{ ONE(TP("{'type': 'call', 'touchpoint': []}")), "stages[0].touchpoints[0].match.touchpoint",
	  "must have 1 to 16 values", "debe tener de 1 a 16 valores" },
	{ ONE(TP("{'type': 'call', 'touchpoint': ['a', 'b', 'a']}")), "stages[0].touchpoints[0].match.touchpoint[2]",
	  "'a' appears twice", "'a' aparece dos veces" },
	{ ONE(TP("{'type': 'call', 'touchpoint': [1]}")), "stages[0].touchpoints[0].match.touchpoint[0]",
	  "must be a string", "debe ser un texto" },
	{ ONE(TP("{'type': 'call', 'touchpoint': 7}")), "stages[0].touchpoints[0].match.touchpoint", "must be a list",
	  "debe ser una lista" },
	{ ONE(TP("{'type': 'call', 'touchpoint': ''}")), "stages[0].touchpoints[0].match.touchpoint", "is required",
	  "es obligatorio" },
	{ ONE(TP("{'type': 'call', 'touchpoint': ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm',"
		 " 'n', 'o', 'p', 'q']}")),
	  "stages[0].touchpoints[0].match.touchpoint", "must have 1 to 16 values", "debe tener de 1 a 16 valores" },
	{ ONE(TP("{'type': 'call', 'properties': []}")), "stages[0].touchpoints[0].match.properties",
	  "must be a JSON object", "debe ser un objeto JSON" },
	{ ONE(TP("{'type': 'call', 'properties': {'a': [1]}}")), "stages[0].touchpoints[0].match.properties.a",
	  "must be a string, a number or true/false", "debe ser un texto, un número o true/false" },
	{ ONE(TP("{'type': 'call', 'properties': {'': 1}}")), "stages[0].touchpoints[0].match.properties.",
	  "a property name has 1 to 64 bytes", "un nombre de propiedad tiene de 1 a 64 bytes" },
	{ ONE(TP("{'type': 'call', 'properties': {'a':1,'b':1,'c':1,'d':1,'e':1,'f':1,'g':1,'h':1,'i':1,'j':1,"
		 "'k':1,'l':1,'m':1,'n':1,'o':1,'p':1,'q':1,'r':1,'s':1,'t':1,'u':1}}")),
	  "stages[0].touchpoints[0].match.properties", "at most 20 properties", "como máximo 20 propiedades" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'x'},"
	      " 'feedback': 'x'}]}"),
	  "stages[0].touchpoints[0].feedback", "must be a list", "debe ser una lista" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'x'},"
	      " 'feedback': ['x', 'x']}]}"),
	  "stages[0].touchpoints[0].feedback[1]", "'x' appears twice", "'x' aparece dos veces" },
	/* overlapping rules */
	{ ONE("{'key': 'compra', 'name': 'Compra', 'phase': 'during', 'touchpoints': [{'key': 'checkout_web',"
	      " 'match': {'type': 'purchase', 'touchpoint': ['checkout', 'cart']}}]},"
	      " {'key': 'post', 'phase': 'after', 'touchpoints': [{'key': 'x', 'match': {'type': 'sms'}},"
	      " {'key': 'y', 'match': {'type': 'purchase', 'touchpoint': 'cart'}}]}"),
	  "stages[1].touchpoints[1].match",
	  "overlaps 'Compra / checkout_web': an event of type purchase, touchpoint cart would match both",
	  "se solapa con 'Compra / checkout_web': un evento de tipo purchase, punto de contacto cart cumpliría las "
	  "dos reglas" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'purchase',"
	      " 'channel': 'web', 'properties': {'carrier': 'dhl'}}}, {'key': 'u', 'match': {'type': 'purchase',"
	      " 'properties': {'carrier': 'dhl', 'n': 2}}}]}"),
	  "stages[0].touchpoints[1].match",
	  "overlaps 'a / t': an event of type purchase, channel web, carrier = dhl, n = 2 would match both",
	  "se solapa con 'a / t': un evento de tipo purchase, canal web, carrier = dhl, n = 2 cumpliría" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'call'}},"
	      " {'key': 'u', 'match': {'type': 'call'}}]}"),
	  "stages[0].touchpoints[1].match", "overlaps 'a / t': an event of type call would match both",
	  "se solapa con 'a / t': un evento de tipo call cumpliría" },
	/* next and cycles */
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'x'}}],"
	      " 'next': ['entrgea']}"),
	  "stages[0].next[0]", "no stage 'entrgea'", "no existe la etapa 'entrgea'" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'x'}}],"
	      " 'next': 'a'}"),
	  "stages[0].next", "must be a list", "debe ser una lista" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'x'}}],"
	      " 'next': [1]}"),
	  "stages[0].next[0]", "must be a string", "debe ser un texto" },
	{ ONE("{'key': 'a', 'name': 'A', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'x'}}],"
	      " 'next': ['a']}"),
	  "stages[0].next[0]", "makes a cycle: A → A", "forma un ciclo: A → A" },
	{ ONE("{'key': 'compra', 'name': 'Compra', 'phase': 'during', 'touchpoints': [{'key': 't', 'match':"
	      " {'type': 'purchase'}}]},"
	      " {'key': 'uso', 'name': 'Uso', 'phase': 'after', 'touchpoints': [{'key': 'u', 'match':"
	      " {'type': 'login'}}], 'next': ['postventa']},"
	      " {'key': 'postventa', 'name': 'Postventa', 'phase': 'after', 'touchpoints': [{'key': 'p', 'match':"
	      " {'type': 'ticket'}}], 'next': ['fin', 'uso']},"
	      " {'key': 'fin', 'phase': 'after', 'touchpoints': [{'key': 'f', 'match': {'type': 'churn'}}]}"),
	  "stages[2].next[1]", "makes a cycle: Uso → Postventa → Uso", "forma un ciclo: Uso → Postventa → Uso" },
	{ ONE("{'key': 'a', 'phase': 'during', 'touchpoints': [{'key': 't', 'match': {'type': 'x'}}],"
	      " 'next': ['b', 'b']}, {'key': 'b', 'phase': 'after', 'touchpoints': [{'key': 'u', 'match':"
	      " {'type': 'y'}}]}"),
	  "stages[0].next[1]", "'b' appears twice", "'b' aparece dos veces" },
};

static void test_bad(void **state)
{
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
		static const char *const langs[] = { "en", "es" };
		cJSON *j = parse(bads[i].json);
		for (int l = 0; l < 2; l++) {
			struct cxm_journey_def d;
			char field[128], why[512];
			const char *want = l ? bads[i].es : bads[i].en;
			cxm_i18n_set(langs[l]);
			if (cxm_journey_check(j, &d, field, sizeof(field), why, sizeof(why)) != CXM_EINVAL)
				fail_msg("case %zu (%s) was accepted", i, bads[i].json);
			if (strcmp(field, bads[i].field))
				fail_msg("case %zu: field '%s', expected '%s' (%s)", i, field, bads[i].field, why);
			if (!strstr(why, want))
				fail_msg("case %zu (%s): reason '%s' lacks '%s'", i, langs[l], why, want);
		}
		cxm_i18n_set("en");
		cJSON_Delete(j);
	}
}

/* Limits: 16 stages pass, 17 do not; 64 touchpoints pass, 65 do not. */
static void test_limits(void **state)
{
	struct cxm_buf b = CXM_BUF_INIT;
	struct cxm_journey_def d;
	char field[128], why[512], *text;
	cJSON *j;
	(void)state;

	for (int stages = 16; stages <= 17; stages++) {
		cxm_buf_addf(&b, "{\"name\":\"j\",\"stages\":[");
		for (int i = 0; i < stages; i++)
			cxm_buf_addf(&b, "%s{\"key\":\"s%d\",\"phase\":\"during\",\"touchpoints\":[{\"key\":\"t%d\","
					 "\"match\":{\"type\":\"e%d\"}}]}",
				     i ? "," : "", i, i, i);
		cxm_buf_addf(&b, "]}");
		text = cxm_buf_detach(&b, NULL);
		j = cJSON_Parse(text);
		assert_int_equal(cxm_journey_check(j, &d, field, sizeof(field), why, sizeof(why)),
				 stages == 16 ? 0 : CXM_EINVAL);
		if (stages == 17)
			assert_string_equal(field, "stages");
		else
			assert_int_equal(d.stages[14].next[0], 15);
		cJSON_Delete(j);
		free(text);
	}
	for (int tps = 64; tps <= 65; tps++) {
		cxm_buf_addf(&b, "{\"name\":\"j\",\"stages\":[");
		for (int s = 0; s < 4; s++) {
			cxm_buf_addf(&b, "%s{\"key\":\"s%d\",\"phase\":\"during\",\"touchpoints\":[", s ? "," : "", s);
			for (int i = s * 16; i < (s == 3 ? tps : s * 16 + 16); i++)
				cxm_buf_addf(&b, "%s{\"key\":\"t%d\",\"match\":{\"type\":\"e%d\"}}", i > s * 16 ? "," : "",
					     i, i);
			cxm_buf_addf(&b, "]}");
		}
		cxm_buf_addf(&b, "]}");
		text = cxm_buf_detach(&b, NULL);
		j = cJSON_Parse(text);
		assert_int_equal(cxm_journey_check(j, &d, field, sizeof(field), why, sizeof(why)),
				 tps == 64 ? 0 : CXM_EINVAL);
		if (tps == 65) {
			assert_string_equal(field, "stages[3].touchpoints");
			assert_non_null(strstr(why, "at most 64 touchpoints"));
		} else {
			assert_int_equal(d.n_tps, 64);
			assert_int_equal(cxm_journey_match_event(&d, "e63", "web", NULL, NULL), 63);
		}
		cJSON_Delete(j);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retail), cmocka_unit_test(test_call_centre), cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_bad),    cmocka_unit_test(test_limits),	   cmocka_unit_test(test_properties),
	};
	cxm_i18n_set("en");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
