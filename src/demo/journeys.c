/*
 * journeys.c - the demo tenant's journeys (journeys.h), written against
 * the events demo.c makes:
 *
 *  - "Compra online": Descubrimiento → Consideración (before the purchase),
 *    Compra (during), Entrega → Uso → Postventa → Recomendación (after). An
 *    in-store purchase taken home goes straight to Uso; a customer with
 *    nothing to complain about goes from Uso to Recomendación.
 *  - "Atención al cliente": Contacto (the IVR menu, a support form) →
 *    Espera (the queue; chats and forms skip it) → Atención (the agent's
 *    call or chat) → Resolución (the case closed) → Seguimiento (the
 *    follow-up of an unresolved case).
 *
 * Both explain the relational survey ("NPS relacional"): their moments of
 * truth are the touchpoints whose scores best predict it. The feedback
 * touchpoints tie the other surveys' responses (delivered, support_line,
 * web_chat, whatsapp, store_tablet) to the touchpoints they follow.
 */
#include "journeys.h"

#include "cxm/core.h"
#include "cxm/journey.h"
#include "cxm/json.h"
#include "cxm/store.h"
#include "cxm/time.h"

/* Without outcome_survey_id: the survey's id is known only at run time. */
static const char *const templates[] = {
	"{\"name\":\"Compra online\",\"conversion_window\":\"180d\",\"stages\":["
	"{\"key\":\"descubrimiento\",\"name\":\"Descubrimiento\",\"phase\":\"before\",\"touchpoints\":["
	"{\"key\":\"anuncios\",\"name\":\"Anuncios en redes\",\"match\":{\"type\":\"ad_click\",\"channel\":\"social\"}},"
	"{\"key\":\"newsletter\",\"name\":\"Newsletter\",\"match\":{\"type\":\"email_click\",\"touchpoint\":\"newsletter\"}},"
	"{\"key\":\"portada\",\"name\":\"Portada y búsqueda\",\"match\":{\"type\":\"page_view\","
	"\"touchpoint\":[\"home\",\"search\",\"landing_page\"]}}]},"
	"{\"key\":\"consideracion\",\"name\":\"Consideración\",\"phase\":\"before\",\"touchpoints\":["
	"{\"key\":\"catalogo\",\"name\":\"Catálogo y fichas\",\"match\":{\"type\":\"page_view\","
	"\"touchpoint\":[\"category_page\",\"product_page\"]}},"
	"{\"key\":\"showroom\",\"name\":\"Visita a tienda\",\"match\":{\"type\":\"visit\",\"channel\":\"store\"}}]},"
	"{\"key\":\"compra\",\"name\":\"Compra\",\"phase\":\"during\",\"next\":[\"entrega\",\"uso\"],\"touchpoints\":["
	"{\"key\":\"carrito\",\"name\":\"Carrito\",\"match\":{\"type\":\"page_view\",\"touchpoint\":\"cart\"}},"
	"{\"key\":\"checkout\",\"name\":\"Pago en línea\",\"match\":{\"type\":\"purchase\",\"touchpoint\":\"checkout\"}},"
	"{\"key\":\"caja_tienda\",\"name\":\"Caja de la tienda\",\"match\":{\"type\":\"purchase\","
	"\"touchpoint\":\"store_checkout\"},\"feedback\":[\"store_tablet\"]}]},"
	"{\"key\":\"entrega\",\"name\":\"Entrega\",\"phase\":\"after\",\"touchpoints\":["
	"{\"key\":\"aviso_envio\",\"name\":\"Aviso de envío\",\"match\":{\"type\":\"delivery\","
	"\"touchpoint\":\"shipping_notice\"}},"
	"{\"key\":\"entregado\",\"name\":\"Entregado\",\"match\":{\"type\":\"delivery\",\"touchpoint\":\"delivered\"}}]},"
	"{\"key\":\"uso\",\"name\":\"Uso\",\"phase\":\"after\",\"next\":[\"postventa\",\"recomendacion\"],\"touchpoints\":["
	"{\"key\":\"registro\",\"name\":\"Registro de garantía\",\"match\":{\"type\":\"product_registration\"}},"
	"{\"key\":\"manuales\",\"name\":\"Manuales y ayuda\",\"match\":{\"type\":\"page_view\","
	"\"touchpoint\":\"support_article\"}}]},"
	"{\"key\":\"postventa\",\"name\":\"Postventa\",\"phase\":\"after\",\"touchpoints\":["
	"{\"key\":\"formulario\",\"name\":\"Formulario de soporte\",\"match\":{\"type\":\"ticket\"}},"
	"{\"key\":\"linea_soporte\",\"name\":\"Línea de soporte\",\"match\":{\"type\":\"call\","
	"\"touchpoint\":\"support_line\"}},"
	"{\"key\":\"chat\",\"name\":\"Chat y WhatsApp\",\"match\":{\"type\":\"chat\"},"
	"\"feedback\":[\"web_chat\",\"whatsapp\"]}]},"
	"{\"key\":\"recomendacion\",\"name\":\"Recomendación\",\"phase\":\"after\",\"touchpoints\":["
	"{\"key\":\"resena\",\"name\":\"Reseña\",\"match\":{\"type\":\"review\"}},"
	"{\"key\":\"referido\",\"name\":\"Enlace de referido\",\"match\":{\"type\":\"referral\"}}]}]}",

	"{\"name\":\"Atención al cliente\",\"conversion_window\":\"7d\",\"stages\":["
	"{\"key\":\"contacto\",\"name\":\"Contacto\",\"phase\":\"before\",\"next\":[\"espera\",\"atencion\"],"
	"\"touchpoints\":["
	"{\"key\":\"menu_ivr\",\"name\":\"Menú IVR\",\"match\":{\"type\":\"ivr\",\"touchpoint\":\"ivr_menu\"}},"
	"{\"key\":\"formulario\",\"name\":\"Formulario de soporte\",\"match\":{\"type\":\"ticket\"}}]},"
	"{\"key\":\"espera\",\"name\":\"Espera\",\"phase\":\"during\",\"touchpoints\":["
	"{\"key\":\"cola\",\"name\":\"Cola\",\"match\":{\"type\":\"ivr\",\"touchpoint\":\"queue\"}}]},"
	"{\"key\":\"atencion\",\"name\":\"Atención\",\"phase\":\"during\",\"touchpoints\":["
	"{\"key\":\"llamada\",\"name\":\"Llamada\",\"match\":{\"type\":\"call\","
	"\"touchpoint\":[\"sales_line\",\"support_line\",\"retention_line\"]}},"
	"{\"key\":\"chat\",\"name\":\"Chat y WhatsApp\",\"match\":{\"type\":\"chat\"},"
	"\"feedback\":[\"web_chat\",\"whatsapp\"]}]},"
	"{\"key\":\"resolucion\",\"name\":\"Resolución\",\"phase\":\"after\",\"touchpoints\":["
	"{\"key\":\"cierre\",\"name\":\"Cierre del caso\",\"match\":{\"type\":\"case_closed\"}}]},"
	"{\"key\":\"seguimiento\",\"name\":\"Seguimiento\",\"phase\":\"after\",\"touchpoints\":["
	"{\"key\":\"seguimiento_caso\",\"name\":\"Seguimiento del caso\",\"match\":{\"type\":\"follow_up\"}}]}]}",
};

int demo_journeys_create(struct cxm_store *s, int64_t tenant, int64_t outcome_survey_id)
{
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(templates) && !ret; i++) {
		struct cxm_journey_def d;
		char id[24], field[96], why[300], *canon;
		cJSON *tree = cJSON_Parse(templates[i]), *out;
		int64_t jid;

		if (!tree)
			BUG("a demo journey is not JSON");
		cxm_xsnprintf(id, sizeof(id), "%lld", (long long)outcome_survey_id);
		cJSON_AddStringToObject(tree, "outcome_survey_id", id);
		if (cxm_journey_check(tree, &d, field, sizeof(field), why, sizeof(why))) {
			fprintf(stderr, "demo journey %zu: %s: %s\n", i, field, why);
			BUG("a demo journey does not check");
		}
		out = cxm_journey_to_json(&d);
		canon = cxm_json_print(out);
		ret = cxm_store_journey_create(s, tenant, d.name, canon, cxm_now_us(), &jid);
		free(canon);
		cJSON_Delete(out);
		cJSON_Delete(tree);
	}
	/* built now, over no customers yet: from here on ingest keeps their
	 * progress and rollups as each event is stored, late ones too */
	if (!ret)
		ret = cxm_store_journey_build_all(s, tenant);
	return ret;
}
