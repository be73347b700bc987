/*
 * demo.c - the demo tenant of demo.h: "Casa Voltia", an electronics and home
 * retailer with stores in Bogotá, Medellín, Madrid and Barcelona and a call
 * centre in Medellín, its staff, its customers and a year of their histories.
 *
 * Everything the data says comes from xoshiro256** seeded from opts->seed,
 * never from rand() or the clock, with one stream per customer so that one
 * customer's history does not depend on how many came before. Events are made
 * one customer at a time, sorted, and written in batches, so memory stays flat
 * however many customers are asked for. Only the store's own ids (and the
 * rows' bookkeeping times) differ between two runs with the same seed.
 */
#include "cxm/demo.h"
#include "cxm/core.h"
#include "cxm/json.h"
#include "cxm/store.h"
#include "cxm/time.h"
#include "feedback.h"
#include "journeys.h"
#include "rng.h"

#include <math.h>

#define SEC_US 1000000LL
#define MIN_US (60 * SEC_US)
#define HOUR_US (60 * MIN_US)
#define DAY_US (24 * HOUR_US)

#define WINDOW_DAYS 365
#define DEFAULT_CUSTOMERS 2000
#define DEFAULT_SEED 42
#define MAX_CUSTOMERS CXM_DEMO_MAX_CUSTOMERS
#define BATCH 5000
#define PROPS_MAX 320
#define MAX_SPANS 8

/* ---- the organisation ---------------------------------------------------- */

enum unit_ix {
	U_COMPANY,
	U_CO,
	U_ES,
	U_BOG_ANDINO,
	U_BOG_UNICENTRO,
	U_MED_TESORO,
	U_MAD_GRANVIA,
	U_MAD_CASTELLANA,
	U_BCN_DIAGONAL,
	U_CALL_CENTRE,
	U_VENTAS,
	U_SOPORTE,
	U_RETENCION,
	U_SOPORTE_EN,
	U_ECOMMERCE,
	N_UNITS
};

static const struct unit_def {
	const char *name, *kind;
	int parent; /* -1 for the root */
} unit_defs[N_UNITS] = {
	[U_COMPANY] = { "Casa Voltia", "company", -1 },
	[U_CO] = { "Región Colombia", "region", U_COMPANY },
	[U_ES] = { "Región España", "region", U_COMPANY },
	[U_BOG_ANDINO] = { "Tienda Bogotá Andino", "store", U_CO },
	[U_BOG_UNICENTRO] = { "Tienda Bogotá Unicentro", "store", U_CO },
	[U_MED_TESORO] = { "Tienda Medellín El Tesoro", "store", U_CO },
	[U_MAD_GRANVIA] = { "Tienda Madrid Gran Vía", "store", U_ES },
	[U_MAD_CASTELLANA] = { "Tienda Madrid Castellana", "store", U_ES },
	[U_BCN_DIAGONAL] = { "Tienda Barcelona Diagonal", "store", U_ES },
	[U_CALL_CENTRE] = { "Centro de Contacto Medellín", "call_centre", U_COMPANY },
	[U_VENTAS] = { "Ventas", "team", U_CALL_CENTRE },
	[U_SOPORTE] = { "Soporte", "team", U_CALL_CENTRE },
	[U_RETENCION] = { "Retención", "team", U_CALL_CENTRE },
	[U_SOPORTE_EN] = { "Soporte EN", "team", U_CALL_CENTRE },
	[U_ECOMMERCE] = { "Comercio Electrónico", "department", U_COMPANY },
};

/* Seven of the 27 agents change unit during the year (on a date drawn from
 * the seed), so "where was this agent on that day" has two answers. */
static const struct user_def {
	const char *username, *name, *role;
	int unit, moves_to; /* moves_to: -1 for those who stay */
} user_defs[] = {
	{ "laura.martin", "Laura Martín", "admin", U_COMPANY, -1 },
	{ "diego.rojas", "Diego Rojas", "analyst", U_ECOMMERCE, -1 },
	{ "carolina.restrepo", "Carolina Restrepo", "manager", U_CO, -1 },
	{ "javier.moreno", "Javier Moreno", "manager", U_ES, -1 },
	{ "natalia.ospina", "Natalia Ospina", "manager", U_CALL_CENTRE, -1 },
	/* stores */
	{ "ana.gomez", "Ana Gómez", "agent", U_BOG_ANDINO, -1 },
	{ "andres.castano", "Andrés Castaño", "agent", U_BOG_ANDINO, -1 },
	{ "valentina.rios", "Valentina Ríos", "agent", U_BOG_UNICENTRO, -1 },
	{ "julian.pena", "Julián Peña", "agent", U_BOG_UNICENTRO, U_BOG_ANDINO },
	{ "camila.zapata", "Camila Zapata", "agent", U_MED_TESORO, -1 },
	{ "santiago.mejia", "Santiago Mejía", "agent", U_MED_TESORO, -1 },
	{ "lucia.fernandez", "Lucía Fernández", "agent", U_MAD_GRANVIA, -1 },
	{ "alvaro.ruiz", "Álvaro Ruiz", "agent", U_MAD_GRANVIA, -1 },
	{ "marta.ibanez", "Marta Ibáñez", "agent", U_MAD_CASTELLANA, -1 },
	{ "pablo.serrano", "Pablo Serrano", "agent", U_MAD_CASTELLANA, U_MAD_GRANVIA },
	{ "nuria.puig", "Núria Puig", "agent", U_BCN_DIAGONAL, -1 },
	{ "jordi.vidal", "Jordi Vidal", "agent", U_BCN_DIAGONAL, -1 },
	/* call centre */
	{ "daniela.munoz", "Daniela Muñoz", "agent", U_VENTAS, -1 },
	{ "felipe.cardona", "Felipe Cardona", "agent", U_VENTAS, -1 },
	{ "sara.londono", "Sara Londoño", "agent", U_VENTAS, U_RETENCION },
	{ "mateo.quintero", "Mateo Quintero", "agent", U_VENTAS, -1 },
	{ "paula.salazar", "Paula Salazar", "agent", U_SOPORTE, -1 },
	{ "sebastian.henao", "Sebastián Henao", "agent", U_SOPORTE, U_SOPORTE_EN },
	{ "manuela.arango", "Manuela Arango", "agent", U_SOPORTE, -1 },
	{ "juan.velez", "Juan Vélez", "agent", U_SOPORTE, U_VENTAS },
	{ "isabel.duque", "Isabel Duque", "agent", U_SOPORTE, -1 },
	{ "tomas.herrera", "Tomás Herrera", "agent", U_RETENCION, -1 },
	{ "catalina.ochoa", "Catalina Ochoa", "agent", U_RETENCION, U_SOPORTE },
	{ "esteban.giraldo", "Esteban Giraldo", "agent", U_RETENCION, -1 },
	{ "emily.carter", "Emily Carter", "agent", U_SOPORTE_EN, -1 },
	{ "david.nunez", "David Núñez", "agent", U_SOPORTE_EN, U_SOPORTE },
	{ "alejandro.rendon", "Alejandro Rendón", "agent", U_SOPORTE_EN, -1 },
};

#define N_USERS ARRAY_SIZE(user_defs)

/* ---- places, names, products ------------------------------------------ */

enum country { C_CO, C_ES, C_MX, C_US, C_GB, N_COUNTRIES };

struct city {
	const char *name;
	int utc_offset_h;      /* standard time; close enough for a demo */
	unsigned weight;
	int stores[2];         /* unit indexes, -1 for none */
	const char *area;      /* phone area code where numbers have one */
};

static const struct city co_cities[] = {
	{ "Bogotá", -5, 50, { U_BOG_ANDINO, U_BOG_UNICENTRO }, NULL },
	{ "Medellín", -5, 28, { U_MED_TESORO, -1 }, NULL },
	{ "Cali", -5, 12, { -1, -1 }, NULL },
	{ "Barranquilla", -5, 10, { -1, -1 }, NULL },
};
static const struct city es_cities[] = {
	{ "Madrid", 1, 45, { U_MAD_GRANVIA, U_MAD_CASTELLANA }, NULL },
	{ "Barcelona", 1, 35, { U_BCN_DIAGONAL, -1 }, NULL },
	{ "Valencia", 1, 10, { -1, -1 }, NULL },
	{ "Málaga", 1, 5, { -1, -1 }, NULL },
	{ "Sevilla", 1, 5, { -1, -1 }, NULL },
};
static const struct city mx_cities[] = {
	{ "Ciudad de México", -6, 50, { -1, -1 }, "55" },
	{ "Guadalajara", -6, 25, { -1, -1 }, "33" },
	{ "Monterrey", -6, 25, { -1, -1 }, "81" },
};
static const struct city us_cities[] = {
	{ "New York", -5, 30, { -1, -1 }, "917" },
	{ "Miami", -5, 25, { -1, -1 }, "305" },
	{ "Los Angeles", -8, 20, { -1, -1 }, "213" },
	{ "Houston", -6, 15, { -1, -1 }, "713" },
	{ "Chicago", -6, 10, { -1, -1 }, "312" },
};
static const struct city gb_cities[] = {
	{ "London", 0, 50, { -1, -1 }, NULL },
	{ "Manchester", 0, 20, { -1, -1 }, NULL },
	{ "Birmingham", 0, 15, { -1, -1 }, NULL },
	{ "Edinburgh", 0, 15, { -1, -1 }, NULL },
};

static const char *const co_domains[] = { "gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "une.net.co" };
static const unsigned co_domain_w[] = { 55, 22, 10, 9, 4 };
static const char *const es_domains[] = { "gmail.com", "hotmail.com", "yahoo.es", "outlook.es", "telefonica.net" };
static const unsigned es_domain_w[] = { 50, 22, 10, 12, 6 };
static const char *const mx_domains[] = { "gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "live.com.mx" };
static const unsigned mx_domain_w[] = { 52, 25, 10, 8, 5 };
static const char *const us_domains[] = { "gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com" };
static const unsigned us_domain_w[] = { 50, 18, 14, 13, 5 };
static const char *const gb_domains[] = { "gmail.com", "hotmail.co.uk", "outlook.com", "btinternet.com",
					  "yahoo.co.uk" };
static const unsigned gb_domain_w[] = { 45, 20, 15, 10, 10 };

static const struct country_def {
	const char *code, *language, *currency;
	unsigned weight;                  /* permille of customers */
	const struct city *cities;
	size_t n_cities;
	const char *const *domains;
	const unsigned *domain_w;
	size_t n_domains;
	const char *payments[3];
	const char *carriers[3];
	bool summer_in_july;              /* climate products sell in Jun-Aug */
	int64_t to_eur_num, to_eur_den;   /* the demo's fixed rates (demo.h) */
} countries[N_COUNTRIES] = {
	[C_CO] = { "CO", "es", "COP", 380, co_cities, ARRAY_SIZE(co_cities), co_domains, co_domain_w,
		   ARRAY_SIZE(co_domains), { "card", "pse", "nequi" },
		   { "Servientrega", "Coordinadora", "Interrapidísimo" }, false, 1, 4500 },
	[C_ES] = { "ES", "es", "EUR", 220, es_cities, ARRAY_SIZE(es_cities), es_domains, es_domain_w,
		   ARRAY_SIZE(es_domains), { "card", "bizum", "paypal" }, { "SEUR", "Correos Express", "MRW" },
		   true, 1, 1 },
	[C_MX] = { "MX", "es", "MXN", 100, mx_cities, ARRAY_SIZE(mx_cities), mx_domains, mx_domain_w,
		   ARRAY_SIZE(mx_domains), { "card", "oxxo", "mercado_pago" }, { "Estafeta", "DHL", "Paquetexpress" },
		   true, 1, 20 },
	[C_US] = { "US", "en", "USD", 180, us_cities, ARRAY_SIZE(us_cities), us_domains, us_domain_w,
		   ARRAY_SIZE(us_domains), { "card", "paypal", "apple_pay" }, { "UPS", "FedEx", "USPS" }, true, 100,
		   108 },
	[C_GB] = { "GB", "en", "GBP", 120, gb_cities, ARRAY_SIZE(gb_cities), gb_domains, gb_domain_w,
		   ARRAY_SIZE(gb_domains), { "card", "paypal", "apple_pay" }, { "Royal Mail", "DPD", "Evri" }, true,
		   100, 85 },
};

static const char *const es_first[] = {
	"María", "Ana", "Lucía", "Sofía", "Valentina", "Camila", "Isabella", "Daniela", "Paula", "Laura",
	"Carmen", "Marta", "Elena", "Sara", "Andrea", "Natalia", "Carolina", "Mónica", "Verónica", "Beatriz",
	"Inés", "Begoña", "Pilar", "Rocío", "Nuria", "Alejandra", "Mariana", "Gabriela", "Juliana", "Ximena",
	"Ángela", "Luisa", "Catalina", "Manuela", "Adriana", "Lorena", "Patricia", "Claudia", "Diana", "Raquel",
	"María José", "María Fernanda", "Guadalupe", "Julieta", "Noelia", "José", "Juan", "Carlos", "Luis",
	"Javier", "Miguel", "Andrés", "Sebastián", "Santiago", "Mateo", "Nicolás", "Alejandro", "Daniel",
	"David", "Pablo", "Álvaro", "Sergio", "Jorge", "Fernando", "Diego", "Felipe", "Julián", "Tomás",
	"Martín", "Raúl", "Rubén", "Óscar", "Adrián", "Héctor", "Iván", "Jesús", "Manuel", "Antonio",
	"Francisco", "Íñigo", "Joaquín", "Ramón", "Ricardo", "Emilio", "Juan Pablo", "Juan David",
	"Juan Carlos", "Camilo", "Esteban", "Alonso",
};
static const char *const es_last[] = {
	"García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez",
	"Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Gutiérrez", "Ortiz",
	"Jiménez", "Muñoz", "Álvarez", "Romero", "Ruiz", "Vargas", "Castro", "Rojas", "Ospina", "Castaño",
	"Zapata", "Peña", "Ibáñez", "Núñez", "Fernández", "Moreno", "Navarro", "Domínguez", "Vázquez", "Ramos",
	"Gil", "Serrano", "Blanco", "Molina", "Suárez", "Ortega", "Delgado", "Castillo", "Restrepo", "Cardona",
	"Londoño", "Quintero", "Salazar", "Mejía", "Aguilar", "Mendoza", "Herrera", "Medina", "Guerrero",
	"Cortés", "Garrido", "Rubio", "Marín", "Sanz", "Iglesias", "Calderón", "Velásquez", "Betancur",
	"Arango", "Giraldo", "Echeverri", "Córdoba", "Montoya", "Valencia", "Patiño", "Ochoa", "Soto", "Vega",
	"León", "Prieto", "Santos", "Cabrera", "Campos", "Fuentes", "Carrasco", "Pascual", "Nieto", "Aguirre",
	"Lozano", "Espinosa", "Bermúdez",
};
static const char *const en_first[] = {
	"James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
	"Daniel", "Matthew", "Oliver", "Harry", "George", "Jack", "Ryan", "Ethan", "Noah", "Liam", "Mason",
	"Chris", "Emily", "Olivia", "Emma", "Sophie", "Charlotte", "Amelia", "Jessica", "Sarah", "Jennifer",
	"Elizabeth", "Hannah", "Grace", "Chloe", "Megan", "Lauren", "Ashley", "Kate", "Lucy", "Rachel", "Zoe",
};
static const char *const en_last[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Anderson",
	"Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
	"Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker",
	"Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans",
	"Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Cooper", "Hughes", "Wood",
	"Patel", "O'Brien", "Kelly", "Walsh", "Hall", "Price", "Bennett", "Khan",
};

static const struct product {
	const char *sku, *category;
	int64_t eur_cents;
	unsigned weight;
} products[] = {
	{ "TV-43-FHD", "tv", 32900, 6 },       { "TV-55-4K", "tv", 59900, 8 },
	{ "TV-65-OLED", "tv", 149900, 3 },     { "SB-300", "audio", 24900, 4 },
	{ "HP-NC700", "audio", 19900, 5 },     { "EB-TWS", "audio", 8900, 8 },
	{ "PH-A55", "phone", 39900, 8 },       { "PH-PRO15", "phone", 119900, 4 },
	{ "TB-11", "tablet", 32900, 4 },       { "LP-14-I5", "laptop", 74900, 5 },
	{ "LP-16-R7", "laptop", 109900, 3 },   { "FR-NF350", "fridge", 89900, 3 },
	{ "WM-9KG", "washer", 54900, 3 },      { "DW-60", "dishwasher", 47900, 2 },
	{ "MW-25L", "kitchen", 11900, 4 },     { "CF-ESP", "kitchen", 24900, 4 },
	{ "BL-1500", "kitchen", 7900, 5 },     { "VC-ROBOT", "home", 29900, 4 },
	{ "AC-12K", "climate", 45900, 2 },     { "FAN-TWR", "climate", 6900, 3 },
	{ "GC-PS5", "gaming", 54900, 4 },      { "GM-CTRL", "gaming", 6900, 5 },
	{ "SW-WATCH", "wearable", 27900, 4 },  { "RT-WIFI6", "networking", 9900, 3 },
	{ "PR-INK", "printer", 12900, 2 },
};
#define N_PRODUCTS ARRAY_SIZE(products)

static const struct product accessories[] = {
	{ "CB-HDMI-2M", "accessory", 1999, 1 }, { "CS-PHONE", "accessory", 2499, 1 },
	{ "PB-10K", "accessory", 2999, 1 },     { "SP-SURGE", "accessory", 1499, 1 },
	{ "WM-TV-ARM", "accessory", 4900, 1 },  { "EXT-WARRANTY", "service", 7900, 1 },
};

static const char *const es_campaigns[13] = {
	NULL, "rebajas_enero", "san_valentin", "primavera_tech", "semana_santa", "dia_de_la_madre",
	"dia_del_padre", "rebajas_verano", "vuelta_al_cole", "amor_y_amistad", "halloween_tech",
	"black_friday", "navidad",
};
static const char *const en_campaigns[13] = {
	NULL, "new_year_sale", "valentines", "spring_sale", "easter_deals", "mothers_day", "fathers_day",
	"summer_sale", "back_to_school", "tech_week", "halloween", "black_friday", "christmas",
};

/* Local hours at which things happen (weights for 0h..23h). */
static const unsigned hours_online[24] = { 2, 1, 1, 0, 0, 1, 2, 4, 6, 7, 8, 9,
					   11, 11, 9, 8, 8, 9, 11, 13, 14, 13, 9, 4 };
static const unsigned hours_store[24] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 9,
					  11, 10, 8, 8, 9, 11, 12, 11, 6, 0, 0, 0 };
static const unsigned hours_office[24] = { 0, 0, 0, 0, 0, 0, 0, 0, 8, 12, 13, 12,
					   9, 8, 10, 11, 10, 8, 6, 4, 0, 0, 0, 0 };
static const unsigned hours_email[24] = { 1, 0, 0, 0, 0, 0, 3, 8, 10, 9, 7, 6,
					  8, 9, 6, 5, 5, 6, 7, 8, 9, 8, 5, 2 };

/* Activity by calendar month (index 1..12) and weekday (0 = Sunday). */
static const unsigned month_weight[13] = { 0, 85, 75, 85, 85, 95, 90, 95, 90, 90, 100, 165, 185 };
static const unsigned weekday_weight[7] = { 105, 90, 90, 95, 100, 110, 120 };

enum profile { P_BROWSER, P_ONE_TIME, P_OCCASIONAL, P_LOYAL, P_CHURNER, N_PROFILES };
static const unsigned profile_weight[N_PROFILES] = { 100, 220, 330, 220, 130 };

/* ---- generator state ------------------------------------------------------ */

struct span {
	int unit; /* unit index, -1 when not one of the demo's */
	int64_t from, to;
};

struct agent {
	const char *username;
	int64_t id;
	int n_spans;
	struct span spans[MAX_SPANS];
};

/* One event of the customer being made, before sorting. */
struct item {
	int64_t ts;
	size_t seq;
	const char *type, *channel, *touchpoint, *agent, *currency;
	int unit;
	bool has_amount;
	int64_t amount_micros;
	/* a survey may follow it (feedback.h): what kind, how it went */
	enum demo_fb_kind fb;
	bool fb_bad;
	int64_t fb_wait_s;
	/* what the customer went through, for the relational survey (feedback.h) */
	enum demo_rel_kind exp;
	bool late_arrival; /* stored after later events of the customer */
	char props[PROPS_MAX];
};

/* Strings the batched events point to. */
struct event_text {
	char source_id[48];
	char props[PROPS_MAX];
};

/* 64-bit hashes of the emails and phones handed out (a false hit only
 * makes a name take a number; it cannot make a duplicate). */
struct seen {
	uint64_t *h;
	size_t cap, n;
};

struct month {
	int first_day; /* window day on which the month (or the window) starts */
	int64_t year;
	unsigned month;
};

struct cust {
	int country;
	const struct country_def *cd;
	const struct city *city;
	bool en;
	int profile;
	const char *segment;
	unsigned app_permille, store_permille;
	const char *notify;       /* "email" or "sms" */
	bool marketing, whatsapp; /* consents granted */
	int lo, hi;               /* active window days [lo, hi) */
	int preferred_store;      /* unit index or -1 */
	char first[48], last[96], email[128], phone[24], ext[24], attrs[256];
};

struct gen {
	struct cxm_store *s;
	int64_t tenant;
	uint64_t seed;
	int64_t start, end;   /* the window [start, end) */
	int64_t day0;         /* days since the epoch of window day 0 */
	int64_t unit_id[N_UNITS];
	bool unit_new[N_UNITS];
	int64_t user_id[N_USERS];
	bool user_new[N_USERS];
	struct agent agents[N_USERS];
	size_t n_agents;
	int64_t cum[WINDOW_DAYS + 1]; /* cumulative activity weight by day */
	unsigned char day_month[WINDOW_DAYS];
	struct month months[14];
	size_t n_months;
	int bf_day;            /* window day of Black Friday, -1 if none */
	struct seen seen;
	struct item *cur;      /* the current customer's events */
	size_t n_cur, cap_cur;
	struct cxm_event *ev;  /* the batch */
	struct event_text *txt;
	unsigned char *late;   /* late[i]: ev[i] arrives after the rest of the batch */
	size_t n_ev, cap_ev;
	/*
	 * The journeys' stream of the current customer: every event added for
	 * the journeys (usage, reviews, call-centre steps, abandoned carts) and
	 * every choice about them is drawn from it, so the customer's first
	 * stream - and every number the demo made before - stays the same.
	 */
	struct rng x;
	int64_t rel_sends[4];  /* when the relational survey goes out (quarterly) */
	size_t n_rel_sends;
	int64_t next_event, next_order;
	int64_t purchases, revenue_eur;
	struct demo_feedback *fb; /* the surveys and their answers */
};

/* ---- small helpers -------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
	h = fmix64(h);
	return h ? h : 1;
}

/* Adds s; false when it was there already. */
static bool seen_add(struct seen *st, const char *s)
{
	uint64_t h = hash_str(s);
	size_t i;

	if (st->n * 2 >= st->cap) {
		uint64_t *old = st->h;
		size_t old_cap = st->cap;
		st->cap = old_cap ? old_cap * 2 : 4096;
		st->h = xcalloc(st->cap, sizeof(*st->h));
		for (size_t k = 0; k < old_cap; k++) {
			if (!old[k])
				continue;
			for (i = old[k] & (st->cap - 1); st->h[i]; i = (i + 1) & (st->cap - 1))
				;
			st->h[i] = old[k];
		}
		free(old);
	}
	for (i = h & (st->cap - 1); st->h[i]; i = (i + 1) & (st->cap - 1))
		if (st->h[i] == h)
			return false;
	st->h[i] = h;
	st->n++;
	return true;
}

/*
 * Lower-case ASCII of a name for an email address: accents dropped ("Íñigo"
 * -> "inigo"), spaces, hyphens and apostrophes left out. With first_word,
 * stops at the first space ("García Núñez" -> "garcia").
 */
static void fold_name(const char *in, char *out, size_t outlen, bool first_word)
{
	/* Latin-1 supplement letters U+00E0..U+00FF ('?' : left out) */
	static const char latin1[] = "aaaaaa?ceeeeiiiidnooooo?ouuuuy?y";
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;

	for (; *p && n + 1 < outlen; p++) {
		char ch = 0;
		if (*p == ' ' && first_word)
			break;
		if (*p >= 'A' && *p <= 'Z')
			ch = (char)(*p - 'A' + 'a');
		else if (*p >= 'a' && *p <= 'z')
			ch = (char)*p;
		else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
			unsigned c = p[1] | 0x20; /* upper case maps onto lower */
			ch = latin1[c - 0xA0];
			p++;
			if (ch == '?')
				ch = 0;
		}
		if (ch)
			out[n++] = ch;
	}
	out[n] = '\0';
}

static int64_t local_price_micros(const struct product *p, int country)
{
	int64_t c = p->eur_cents, v, step;

	switch (country) {
	case C_CO: /* 2.699.900 COP */
		v = c * 45;
		step = v >= 1000000 ? 100000 : 10000;
		return ((v + step - 1) / step * step - 100) * SEC_US;
	case C_MX: /* 11,999 MXN */
		v = c / 5;
		return ((v + 99) / 100 * 100 - 1) * SEC_US;
	case C_US: /* 649.99 USD, in cents */
	case C_GB:
		v = c * (country == C_US ? 108 : 85) / 100;
		step = v >= 10000 ? 1000 : 100;
		return ((v + step - 1) / step * step - 1) * 10000;
	default:
		return c * 10000;
	}
}

/* UTC time of a local hour (drawn from hour_w) on window day `day`. */
static int64_t at_local(const struct gen *g, struct rng *r, int64_t day, const unsigned *hour_w, int utc_offset_h)
{
	int64_t h = (int64_t)pick_weighted(r, hour_w, 24);

	return (g->day0 + day) * DAY_US + (h - utc_offset_h) * HOUR_US + (int64_t)below(r, 3600) * SEC_US;
}

/* A window day in [lo, hi) drawn by seasonal activity. */
static int season_day(const struct gen *g, struct rng *r, int lo, int hi)
{
	int64_t u = g->cum[lo] + (int64_t)below(r, (uint64_t)(g->cum[hi] - g->cum[lo]));
	int a = lo, b = hi - 1;

	while (a < b) { /* last day d in [lo, hi) with cum[d] <= u */
		int mid = (a + b + 1) / 2;
		if (g->cum[mid] <= u)
			a = mid;
		else
			b = mid - 1;
	}
	return a;
}

static unsigned month_of_day(const struct gen *g, int64_t day)
{
	if (day < 0)
		day = 0;
	if (day >= WINDOW_DAYS)
		day = WINDOW_DAYS - 1;
	return g->day_month[day];
}

/* Agent in `unit` at time t, drawn evenly; NULL if the unit has none then. */
static const char *agent_at(const struct gen *g, struct rng *r, int unit, int64_t t)
{
	size_t n = 0, k = 0;

	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			k = below(r, n);
		for (size_t i = 0; i < g->n_agents; i++) {
			const struct agent *a = &g->agents[i];
			for (int j = 0; j < a->n_spans; j++) {
				const struct span *sp = &a->spans[j];
				if (sp->unit != unit || t < sp->from || t >= sp->to)
					continue;
				if (pass && k-- == 0)
					return a->username;
				n++;
				break;
			}
		}
		if (!n)
			return NULL;
	}
	BUG("agent count changed between passes");
}

/* ---- events of one customer ------------------------------------------ */

static struct item *emit(struct gen *g, int64_t ts, const char *type, const char *channel, const char *touchpoint)
{
	struct item *it;

	if (g->n_cur == g->cap_cur) {
		g->cap_cur = g->cap_cur ? g->cap_cur * 2 : 256;
		g->cur = xrealloc(g->cur, g->cap_cur * sizeof(*g->cur));
	}
	it = &g->cur[g->n_cur];
	memset(it, 0, offsetof(struct item, props));
	it->ts = ts;
	it->seq = g->n_cur++;
	it->type = type;
	it->channel = channel;
	it->touchpoint = touchpoint;
	it->unit = -1;
	cxm_strlcpy(it->props, "{}", sizeof(it->props));
	return it;
}

#define PROPS(it, ...) cxm_xsnprintf((it)->props, sizeof((it)->props), __VA_ARGS__)

static const struct product *pick_product(const struct gen *g, struct rng *r, const struct cust *c, int64_t day)
{
	unsigned w[N_PRODUCTS];
	unsigned m = month_of_day(g, day);

	for (size_t i = 0; i < N_PRODUCTS; i++) {
		const struct product *p = &products[i];
		w[i] = p->weight * 10;
		if ((m == 11 || m == 12) && (!strcmp(p->category, "tv") || !strcmp(p->category, "gaming")))
			w[i] *= 2;
		if (c->cd->summer_in_july && m >= 6 && m <= 8 && !strcmp(p->category, "climate"))
			w[i] *= 3;
		if (!strcmp(c->segment, "gold") && p->eur_cents >= 50000)
			w[i] *= 2;
		if (!strcmp(c->segment, "bronze") && p->eur_cents < 15000)
			w[i] *= 2;
	}
	return &products[pick_weighted(r, w, N_PRODUCTS)];
}

static const char *campaign_name(const struct cust *c, unsigned month)
{
	return c->en ? en_campaigns[month] : es_campaigns[month];
}

static int64_t contact_at(struct gen *g, struct rng *r, const struct cust *c, int64_t day, int team,
			  const char *reason, const char *order, bool repeat);

/* The unit index where agent was at t, -1 when in none of the demo's. */
static int unit_of_agent(const struct gen *g, const char *agent, int64_t t)
{
	for (size_t i = 0; agent && i < g->n_agents; i++) {
		const struct agent *a = &g->agents[i];
		if (strcmp(a->username, agent))
			continue;
		for (int j = 0; j < a->n_spans; j++)
			if (t >= a->spans[j].from && t < a->spans[j].to)
				return a->spans[j].unit;
	}
	return -1;
}

/*
 * The call-centre steps around a contact (the journey "Atención al
 * cliente"), all from the journeys' stream: a call first goes through the
 * IVR menu and the queue (its wait); every contact ends with the case
 * closed, resolved or not; an unresolved one is followed up, and part of
 * those bring the customer back within a week (a repeat contact, itself
 * with these steps but no further repeat).
 */
static void contact_steps(struct gen *g, const struct cust *c, size_t ix, int64_t duration_s, int team,
			  const char *reason, const char *order, bool repeat)
{
	struct rng *x = &g->x;
	const struct item *call = &g->cur[ix]; /* not valid after the next emit */
	bool chat = !strcmp(call->type, "chat"), resolved = !call->fb_bad;
	const char *agent = call->agent, *line = call->touchpoint;
	int64_t t = call->ts, wait_s = call->fb_wait_s, closed;
	int unit = call->unit;
	struct item *it;
	char order_field[64] = "";

	if (order)
		cxm_xsnprintf(order_field, sizeof(order_field), ",\"order_id\":\"%s\"", order);
	if (!chat) {
		int64_t menu = t - (wait_s + between(x, 20, 90)) * SEC_US;
		it = emit(g, menu, "ivr", "phone", "ivr_menu");
		PROPS(it, "{\"option\":\"%s\",\"reason\":\"%s\"}", line, reason);
		it = emit(g, t - wait_s * SEC_US, "ivr", "phone", "queue");
		PROPS(it, "{\"line\":\"%s\",\"wait_s\":%lld}", line, (long long)wait_s);
	}
	/* closed when the call or chat ends, give or take a minute */
	closed = t + (duration_s + between(x, 5, 60)) * SEC_US;
	it = emit(g, closed, "case_closed", chat ? "chat" : "phone", "resolution");
	/* by the agent, if still in the same unit by then */
	if (agent && unit_of_agent(g, agent, closed) == unit) {
		it->agent = agent;
		it->unit = unit;
	}
	PROPS(it, "{\"reason\":\"%s\",\"resolved\":%s%s}", reason, resolved ? "true" : "false", order_field);
	if (resolved || repeat)
		return;
	it = emit(g, closed + between(x, 20, 72) * HOUR_US, "follow_up", c->notify, "case_follow_up");
	PROPS(it, "{\"reason\":\"%s\"%s}", reason, order_field);
	if (chance(x, 450)) {
		int64_t day = (closed - g->day0 * DAY_US) / DAY_US + between(x, 1, 6);
		contact_at(g, x, c, day, team, reason, order, true);
	}
}

/* A call or chat to the call centre with its steps (a repeat contact: drawn
 * from the journeys' stream and followed by no survey); returns its time. */
static int64_t contact_at(struct gen *g, struct rng *r, const struct cust *c, int64_t day, int team,
			  const char *reason, const char *order, bool repeat)
{
	static const char *const lines[] = { [U_VENTAS] = "sales_line", [U_SOPORTE] = "support_line",
					     [U_RETENCION] = "retention_line", [U_SOPORTE_EN] = "support_line" };
	bool chat = chance(r, 420);
	int64_t t = at_local(g, r, day, hours_office, c->city->utc_offset_h);
	struct item *it;
	char order_field[64] = "";
	int64_t duration, extra;
	bool resolved;

	if (c->en)
		team = U_SOPORTE_EN;
	if (chat)
		it = emit(g, t, "chat", "chat", c->whatsapp && chance(r, 500) ? "whatsapp" : "web_chat");
	else
		it = emit(g, t, "call", "phone", lines[team]);
	it->unit = team;
	it->agent = agent_at(g, r, team, t);
	if (order)
		cxm_xsnprintf(order_field, sizeof(order_field), ",\"order_id\":\"%s\"", order);
	duration = chat ? between(r, 120, 1800) : between(r, 60, 1500);
	extra = chat ? between(r, 4, 40) : between(r, 5, 600);
	resolved = chance(r, chat ? 760 : 800);
	/* no survey after a repeat: the surveys' own streams stay as they were */
	it->fb = repeat ? FB_NONE : FB_CONTACT;
	it->fb_bad = !resolved;
	it->fb_wait_s = chat ? 0 : extra;
	it->exp = resolved ? REL_NONE : REL_UNRESOLVED;
	PROPS(it, "{\"reason\":\"%s\",\"duration_s\":%lld,\"%s\":%lld,\"resolved\":%s%s}", reason,
	      (long long)duration, chat ? "messages" : "wait_s", (long long)extra, resolved ? "true" : "false",
	      order_field);
	contact_steps(g, c, g->n_cur - 1, duration, team, reason, order, repeat);
	return t;
}

static int64_t contact(struct gen *g, struct rng *r, const struct cust *c, int64_t day, int team,
		       const char *reason, const char *order)
{
	return contact_at(g, r, c, day, team, reason, order, false);
}

static void ticket(struct gen *g, struct rng *r, const struct cust *c, int64_t day, const char *reason,
		   const char *order)
{
	static const char *const priorities[] = { "low", "normal", "normal", "normal", "high", "urgent" };
	int team = c->en ? U_SOPORTE_EN : U_SOPORTE;
	int64_t t = at_local(g, r, day, hours_online, c->city->utc_offset_h);
	struct item *it = emit(g, t, "ticket", "email", "support_form");

	it->unit = team;
	it->agent = agent_at(g, r, team, t);
	PROPS(it, "{\"reason\":\"%s\",\"priority\":\"%s\",\"order_id\":\"%s\"}", reason, PICK(r, priorities), order);
}

/* How a session starts: from the home page or a search, from an ad, or
 * straight on the product (a returning visitor). */
enum entry { ENTRY_ORGANIC, ENTRY_AD, ENTRY_DIRECT };

/* A browsing session about product p starting at t; returns its last time. */
static int64_t browse(struct gen *g, struct rng *r, const struct cust *c, int64_t t, const struct product *p,
		      enum entry entry, const char **channel_out)
{
	static const char *const ads[] = { "instagram_ad", "facebook_ad", "tiktok_ad", "instagram_ad" };
	bool app = entry != ENTRY_AD && chance(r, c->app_permille);
	const char *ch = app ? "app" : "web";
	const char *device = app ? "app" : chance(r, 620) ? "mobile" : "desktop";
	struct item *it;

	if (entry == ENTRY_AD) {
		int64_t day = (t - g->day0 * DAY_US) / DAY_US;
		it = emit(g, t, "ad_click", "social", PICK(r, ads));
		PROPS(it, "{\"campaign\":\"%s\",\"sku\":\"%s\"}", campaign_name(c, month_of_day(g, day)), p->sku);
		t += between(r, 3, 30) * SEC_US;
		device = "mobile";
	} else if (entry == ENTRY_ORGANIC) {
		if (chance(r, 600)) {
			it = emit(g, t, "page_view", ch, "home");
			PROPS(it, "{\"device\":\"%s\"}", device);
		} else {
			it = emit(g, t, "page_view", ch, "search");
			PROPS(it, "{\"device\":\"%s\",\"query\":\"%s\"}", device, p->category);
		}
		t += between(r, 10, 120) * SEC_US;
		it = emit(g, t, "page_view", ch, "category_page");
		PROPS(it, "{\"device\":\"%s\",\"category\":\"%s\"}", device, p->category);
		t += between(r, 10, 150) * SEC_US;
	}
	it = emit(g, t, "page_view", ch, "product_page");
	PROPS(it, "{\"device\":\"%s\",\"sku\":\"%s\",\"category\":\"%s\"}", device, p->sku, p->category);
	if (chance(r, 350)) {
		const struct product *q = pick_product(g, r, c, (t - g->day0 * DAY_US) / DAY_US);
		t += between(r, 20, 240) * SEC_US;
		it = emit(g, t, "page_view", ch, "product_page");
		PROPS(it, "{\"device\":\"%s\",\"sku\":\"%s\",\"category\":\"%s\"}", device, q->sku, q->category);
	}
	if (channel_out)
		*channel_out = ch;
	return t;
}

/* Shipping notice and delivery after an order at t (a call if it is late);
 * returns the time of the delivery. */
static int64_t deliver(struct gen *g, struct rng *r, const struct cust *c, int64_t t, const char *order)
{
	const char *carrier = PICK(r, c->cd->carriers);
	bool late = chance(r, 120);
	int64_t days = late ? between(r, 6, 14) : between(r, 2, 5);
	int64_t shipped = t + between(r, 16, 40) * HOUR_US, delivered;
	struct item *it;

	shipped += (int64_t)below(r, 3600) * SEC_US;
	delivered = shipped + (days - 1) * DAY_US + between(r, 1, 9) * HOUR_US;

	it = emit(g, shipped, "delivery", c->notify, "shipping_notice");
	PROPS(it, "{\"order_id\":\"%s\",\"carrier\":\"%s\"}", order, carrier);
	if (late && chance(r, 600)) {
		int64_t day = (shipped - g->day0 * DAY_US) / DAY_US + between(r, 3, days - 1);
		contact(g, r, c, day, U_SOPORTE, "delivery_delay", order);
	}
	it = emit(g, delivered, "delivery", c->notify, "delivered");
	it->fb = FB_DELIVERED;
	it->fb_bad = late;
	it->exp = late ? REL_LATE : REL_NONE;
	/* the carrier's report of a few deliveries reaches us only later */
	it->late_arrival = chance(&g->x, 40);
	PROPS(it, "{\"order_id\":\"%s\",\"carrier\":\"%s\",\"on_time\":%s,\"days\":%lld}", order, carrier,
	      late ? "false" : "true", (long long)days);
	return delivered;
}

/*
 * After a purchase (delivered at t), part of the buyers use what they
 * bought: register it in the app for the warranty, read a manual on the
 * support pages.
 */
static void use_product(struct gen *g, int64_t t, const char *sku)
{
	struct rng *x = &g->x;
	struct item *it;

	if (!chance(x, 380))
		return;
	if (chance(x, 700)) {
		it = emit(g, t + between(x, 1, 6) * DAY_US + between(x, 0, 86399) * SEC_US, "product_registration",
			  "app", "warranty_registration");
		PROPS(it, "{\"sku\":\"%s\"}", sku);
	}
	if (chance(x, 500)) {
		it = emit(g, t + between(x, 2, 12) * DAY_US + between(x, 0, 86399) * SEC_US, "page_view", "web",
			  "support_article");
		PROPS(it, "{\"device\":\"%s\",\"sku\":\"%s\"}", chance(x, 600) ? "mobile" : "desktop", sku);
	}
}

/* Discovery, maybe a question, the purchase, delivery, maybe trouble. */
static void purchase_journey(struct gen *g, struct rng *r, const struct cust *c, int64_t day)
{
	static const char *const issues[] = { "defective_product", "warranty", "installation", "return_request",
					      "missing_item" };
	const struct product *p = pick_product(g, r, c, day);
	bool in_store = c->preferred_store >= 0 && chance(r, c->store_permille);
	bool big = !strcmp(p->category, "fridge") || !strcmp(p->category, "washer") ||
		   !strcmp(p->category, "dishwasher") || !strcmp(p->category, "climate");
	int off = c->city->utc_offset_h;
	int64_t t = at_local(g, r, day, in_store ? hours_store : hours_online, off);
	int64_t amount = local_price_micros(p, c->country), sessions = between(r, 0, 3);
	int items = 1;
	char order[24], extra[96] = "";
	const char *channel = "web";
	struct item *it;

	for (int64_t i = 0; i < sessions; i++) {
		int64_t d = day - between(r, 0, 14);
		int64_t st = at_local(g, r, d, hours_online, off);
		if (st < t)
			browse(g, r, c, st, p, chance(r, 300) ? ENTRY_AD : ENTRY_ORGANIC, NULL);
		else
			sessions = i; /* none before the purchase after all */
	}
	if (chance(r, 90))
		contact(g, r, c, day - between(r, 1, 3), U_VENTAS, "product_question", NULL);
	{
		int64_t y;
		unsigned m, dd;
		cxm_civil_from_days(g->day0 + day, &y, &m, &dd);
		cxm_xsnprintf(order, sizeof(order), "ORD-%02lld%02u%02u-%06lld", (long long)(y % 100), m, dd,
			      (long long)++g->next_order);
	}
	if (chance(r, 350)) {
		const struct product *a = &PICK(r, accessories);
		amount += local_price_micros(a, c->country);
		items++;
		cxm_xsnprintf(extra, sizeof(extra), ",\"accessory\":\"%s\"", a->sku);
	}
	if (in_store) {
		int store = c->preferred_store;
		const struct city *ct = c->city;
		if (ct->stores[1] >= 0 && chance(r, 250))
			store = ct->stores[0] == store ? ct->stores[1] : ct->stores[0];
		if (chance(r, 350)) {
			int64_t vt = at_local(g, r, day - between(r, 1, 10), hours_store, off);
			it = emit(g, vt, "visit", "store", "showroom");
			it->unit = store;
			it->agent = agent_at(g, r, store, vt);
			PROPS(it, "{\"category\":\"%s\",\"sku\":\"%s\"}", p->category, p->sku);
		}
		it = emit(g, t, "purchase", "store", "store_checkout");
		it->fb = FB_STORE;
		it->exp = REL_STORE;
		it->unit = store;
		it->agent = agent_at(g, r, store, t);
		PROPS(it, "{\"order_id\":\"%s\",\"sku\":\"%s\",\"category\":\"%s\",\"items\":%d,\"payment\":\"%s\"%s}",
		      order, p->sku, p->category, items, chance(r, 800) ? "card" : "cash", extra);
	} else {
		t = browse(g, r, c, t, p, sessions ? ENTRY_DIRECT : ENTRY_ORGANIC, &channel);
		t += between(r, 30, 300) * SEC_US;
		it = emit(g, t, "page_view", channel, "cart");
		PROPS(it, "{\"items\":%d}", items);
		t += between(r, 40, 400) * SEC_US;
		it = emit(g, t, "purchase", channel, "checkout");
		PROPS(it, "{\"order_id\":\"%s\",\"sku\":\"%s\",\"category\":\"%s\",\"items\":%d,\"payment\":\"%s\"%s}",
		      order, p->sku, p->category, items, PICK(r, c->cd->payments), extra);
	}
	it->has_amount = true;
	it->amount_micros = amount;
	it->currency = c->cd->currency;
	use_product(g, !in_store || big ? deliver(g, r, c, t, order) : t, p->sku);
	if (chance(r, big ? 110 : 60)) {
		int64_t d = (t - g->day0 * DAY_US) / DAY_US + between(r, 5, 60);
		const char *why = PICK(r, issues);
		ticket(g, r, c, d, why, order);
		if (chance(r, 500))
			contact(g, r, c, d + between(r, 1, 3), U_SOPORTE, why, order);
	}
}

static void campaigns(struct gen *g, struct rng *r, const struct cust *c)
{
	unsigned open_rate = c->profile == P_LOYAL ? 600 : c->profile == P_OCCASIONAL ? 450 : 300;

	for (size_t i = 0; i < g->n_months; i++) {
		const struct month *m = &g->months[i];
		int send = m->first_day + 4;
		char name[64];
		struct item *it;
		int64_t t;

		if (m->month == 11 && g->bf_day >= 0)
			send = g->bf_day - 2;
		else if (m->month == 12)
			send = m->first_day + 9;
		if (send < c->lo || send >= c->hi || send >= WINDOW_DAYS || !chance(r, open_rate))
			continue;
		cxm_xsnprintf(name, sizeof(name), "%s_%lld", campaign_name(c, m->month), (long long)m->year);
		t = at_local(g, r, send + between(r, 0, 3), hours_email, c->city->utc_offset_h);
		it = emit(g, t, "email_open", "email", "newsletter");
		PROPS(it, "{\"campaign\":\"%s\"}", name);
		if (!chance(r, 300))
			continue;
		t += between(r, 5, 300) * SEC_US;
		it = emit(g, t, "email_click", "email", "newsletter");
		PROPS(it, "{\"campaign\":\"%s\",\"link\":\"%s\"}", name, chance(r, 600) ? "product" : "offers");
		t += between(r, 2, 20) * SEC_US;
		it = emit(g, t, "page_view", "web", "landing_page");
		PROPS(it, "{\"campaign\":\"%s\",\"device\":\"%s\"}", name, chance(r, 650) ? "mobile" : "desktop");
	}
}

static void history(struct gen *g, struct rng *r, const struct cust *c)
{
	static const char *const inquiries[] = { "billing", "account", "store_info", "promotion", "invoice" };
	int64_t purchases, browsing;
	int days[9];

	switch (c->profile) {
	case P_BROWSER: purchases = 0; browsing = between(r, 2, 8); break;
	case P_ONE_TIME: purchases = 1; browsing = between(r, 0, 3); break;
	case P_OCCASIONAL: purchases = between(r, 2, 3); browsing = between(r, 0, 4); break;
	case P_LOYAL: purchases = between(r, 4, 9); browsing = between(r, 1, 5); break;
	default: purchases = between(r, 1, 3); browsing = between(r, 0, 3); break;
	}
	if (c->profile != P_CHURNER) { /* who joined mid-year has had less time */
		purchases = purchases ? 1 + (purchases - 1) * (c->hi - c->lo) / WINDOW_DAYS : 0;
		browsing = browsing * (c->hi - c->lo) / WINDOW_DAYS;
	}
	/* in date order, so a customer's order numbers grow with time */
	for (int64_t i = 0; i < purchases; i++) {
		int d = season_day(g, r, c->lo, c->hi), j;
		for (j = (int)i; j > 0 && days[j - 1] > d; j--)
			days[j] = days[j - 1];
		days[j] = d;
	}
	for (int64_t i = 0; i < purchases; i++)
		purchase_journey(g, r, c, days[i]);
	for (int64_t i = 0; i < browsing; i++) {
		int64_t day = season_day(g, r, c->lo, c->hi);
		int64_t t = at_local(g, r, day, hours_online, c->city->utc_offset_h);
		const struct product *p = pick_product(g, r, c, day);
		const char *channel;
		t = browse(g, r, c, t, p, chance(r, 250) ? ENTRY_AD : ENTRY_ORGANIC, &channel);
		/* a few put it in the cart and leave it there */
		if (chance(&g->x, 35)) {
			struct item *it = emit(g, t + between(&g->x, 30, 300) * SEC_US, "page_view", channel, "cart");
			PROPS(it, "{\"items\":1}");
		}
	}
	if (c->preferred_store >= 0 && chance(r, 300)) {
		int64_t day = season_day(g, r, c->lo, c->hi);
		int64_t t = at_local(g, r, day, hours_store, c->city->utc_offset_h);
		struct item *it = emit(g, t, "visit", "store", "showroom");
		it->unit = c->preferred_store;
		it->agent = agent_at(g, r, c->preferred_store, t);
		PROPS(it, "{\"category\":\"%s\"}", pick_product(g, r, c, day)->category);
	}
	if (c->marketing)
		campaigns(g, r, c);
	if (chance(r, 60)) {
		const char *why = PICK(r, inquiries);
		contact(g, r, c, season_day(g, r, c->lo, c->hi), strcmp(why, "promotion") ? U_SOPORTE : U_VENTAS, why,
			NULL);
	}
	if (c->profile == P_CHURNER && chance(r, 550)) {
		static const char *const why[] = { "cancellation", "complaint", "price", "competitor_offer" };
		int64_t day = c->hi - between(r, 1, 20);
		contact(g, r, c, day < c->lo ? c->lo : day, U_RETENCION, PICK(r, why), NULL);
	}
}

/*
 * What the customer went through (for the relational survey) and, after
 * their purchases, the reviews and referrals of those who feel like it:
 * mostly the customers the relational survey finds promoters.
 */
static size_t recommend(struct gen *g, int mood, struct demo_rel_fact **facts, size_t *cap)
{
	struct rng *x = &g->x;
	size_t n = 0, n_items = g->n_cur;

	for (size_t i = 0; i < n_items; i++) {
		const struct item *it = &g->cur[i];
		/* only what the data shows: the window's events */
		if (it->exp == REL_NONE || it->ts < g->start || it->ts >= g->end)
			continue;
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*facts = xrealloc(*facts, *cap * sizeof(**facts));
		}
		(*facts)[n++] = (struct demo_rel_fact){ .kind = it->exp, .ts = it->ts, .agent = it->agent };
	}
	for (size_t i = 0; i < n_items; i++) {
		char sku[32];
		const char *p;
		int64_t t;
		double lean;
		struct item *it;

		if (!g->cur[i].has_amount)
			continue;
		p = strstr(g->cur[i].props, "\"sku\":\"");
		if (!p)
			BUG("a demo purchase without its sku");
		cxm_strlcpy(sku, p + 7, sizeof(sku));
		sku[strcspn(sku, "\"")] = '\0';
		t = g->cur[i].ts + between(x, 7, 30) * DAY_US + between(x, 0, 86399) * SEC_US;
		lean = demo_rel_leaning(mood, *facts, n, t);
		if (chance(x, lean >= 9 ? 300 : lean >= 7 ? 90 : 60)) {
			int rating = (int)lround(lean / 2.0 + (double)between(x, -8, 8) / 10.0);
			rating = rating < 1 ? 1 : rating > 5 ? 5 : rating;
			it = emit(g, t, "review", "web", "product_review");
			PROPS(it, "{\"rating\":%d,\"sku\":\"%s\"}", rating, sku);
		}
		if (lean >= 8.5 && chance(x, 110)) {
			it = emit(g, t + between(x, 1, 20) * DAY_US, "referral", "email", "referral_link");
			PROPS(it, "{\"sku\":\"%s\",\"channel\":\"%s\"}", sku, chance(x, 600) ? "whatsapp" : "email");
		}
	}
	return n;
}

/* ---- customers ------------------------------------------------------------- */

/* A phone number in E.164: mobile ranges in CO, ES and GB, the city's area
 * code in MX and the US, where mobiles have one too. */
static void make_phone(struct rng *r, const struct cust *c, char *out, size_t outlen)
{
	static const unsigned gb_mobile[] = { 4, 5, 7, 8, 9 };
	long long a, b;

	switch (c->country) {
	case C_CO:
		a = between(r, 0, 24);
		b = between(r, 0, 9999999);
		cxm_xsnprintf(out, outlen, "+573%02lld%07lld", a, b);
		break;
	case C_ES:
		a = chance(r, 850) ? 6 : 7;
		b = between(r, 0, 99999999);
		cxm_xsnprintf(out, outlen, "+34%lld%08lld", a, b);
		break;
	case C_MX:
		cxm_xsnprintf(out, outlen, "+52%s%08lld", c->city->area, (long long)between(r, 10000000, 99999999));
		break;
	case C_US:
		a = between(r, 200, 999);
		b = between(r, 0, 9999);
		cxm_xsnprintf(out, outlen, "+1%s%03lld%04lld", c->city->area, a, b);
		break;
	default:
		a = PICK(r, gb_mobile);
		b = between(r, 0, 99999999);
		cxm_xsnprintf(out, outlen, "+447%lld%08lld", a, b);
		break;
	}
}

static void make_email(struct gen *g, struct rng *r, struct cust *c, int birth_year)
{
	char first[48], last[48], local[112];
	const char *domain = c->cd->domains[pick_weighted(r, c->cd->domain_w, c->cd->n_domains)];

	fold_name(c->first, first, sizeof(first), false);
	fold_name(c->last, last, sizeof(last), true);
	switch (below(r, 8)) {
	case 0:
	case 1: cxm_xsnprintf(local, sizeof(local), "%s.%s", first, last); break;
	case 2: cxm_xsnprintf(local, sizeof(local), "%s%s", first, last); break;
	case 3: cxm_xsnprintf(local, sizeof(local), "%s_%s", first, last); break;
	case 4: cxm_xsnprintf(local, sizeof(local), "%c%s", first[0], last); break;
	case 5: cxm_xsnprintf(local, sizeof(local), "%s.%s%02d", first, last, birth_year % 100); break;
	case 6: cxm_xsnprintf(local, sizeof(local), "%s%s%lld", first, last, (long long)between(r, 1, 999)); break;
	default: cxm_xsnprintf(local, sizeof(local), "%s.%s", last, first); break;
	}
	cxm_xsnprintf(c->email, sizeof(c->email), "%s@%s", local, domain);
	for (int k = 2; !seen_add(&g->seen, c->email); k++)
		cxm_xsnprintf(c->email, sizeof(c->email), "%s%d@%s", local, k, domain);
}

/* Draws customer number n (1-based) into c and the store record cu. */
static void make_customer(struct gen *g, struct rng *r, int64_t n, struct cust *c, struct cxm_customer *cu)
{
	static const char *const acquisition[] = { "web", "web", "app", "store", "social", "referral" };
	unsigned country_w[N_COUNTRIES], city_w[8];
	int birth_year = (int)between(r, 1955, 2006);
	int64_t created;
	bool has_email, has_phone;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < N_COUNTRIES; i++)
		country_w[i] = countries[i].weight;
	c->country = (int)pick_weighted(r, country_w, N_COUNTRIES);
	c->cd = &countries[c->country];
	for (size_t i = 0; i < c->cd->n_cities; i++)
		city_w[i] = c->cd->cities[i].weight;
	c->city = &c->cd->cities[pick_weighted(r, city_w, c->cd->n_cities)];
	c->en = !strcmp(c->cd->language, "en");
	if (c->en && !(c->country == C_US && chance(r, 120))) {
		cxm_strlcpy(c->first, PICK(r, en_first), sizeof(c->first));
		cxm_strlcpy(c->last, PICK(r, en_last), sizeof(c->last));
	} else {
		cxm_strlcpy(c->first, PICK(r, es_first), sizeof(c->first));
		if (!c->en && chance(r, c->country == C_MX ? 350 : 550)) {
			const char *first_surname = PICK(r, es_last);
			cxm_xsnprintf(c->last, sizeof(c->last), "%s %s", first_surname, PICK(r, es_last));
		} else
			cxm_strlcpy(c->last, PICK(r, es_last), sizeof(c->last));
	}
	has_email = chance(r, 930);
	has_phone = chance(r, 820) || !has_email;
	if (has_email)
		make_email(g, r, c, birth_year);
	if (has_phone) {
		do
			make_phone(r, c, c->phone, sizeof(c->phone));
		while (!seen_add(&g->seen, c->phone));
	}
	cxm_xsnprintf(c->ext, sizeof(c->ext), "CRM-%06lld", (long long)n);

	c->profile = (int)pick_weighted(r, profile_weight, N_PROFILES);
	switch (c->profile) {
	case P_LOYAL: c->segment = chance(r, 700) ? "gold" : "silver"; break;
	case P_OCCASIONAL: c->segment = chance(r, 150) ? "gold" : chance(r, 700) ? "silver" : "bronze"; break;
	case P_CHURNER: c->segment = chance(r, 100) ? "gold" : chance(r, 550) ? "silver" : "bronze"; break;
	default: c->segment = chance(r, 800) ? "bronze" : "silver"; break;
	}
	c->app_permille = (unsigned)between(r, 50, 650);
	c->preferred_store = c->city->stores[0];
	if (c->city->stores[1] >= 0 && chance(r, 450))
		c->preferred_store = c->city->stores[1];
	c->store_permille = (unsigned)between(r, 150, 700);
	c->notify = has_email && (!has_phone || chance(r, 600)) ? "email" : "sms";

	for (int i = 0; i < CXM_CONSENT_N; i++) {
		static const unsigned granted[CXM_CONSENT_N] = { 600, 400, 300, 450 };
		static const unsigned denied[CXM_CONSENT_N] = { 150, 250, 300, 200 };
		unsigned u = (unsigned)below(r, 1000);
		cu->consent[i] = u < granted[i] ? CXM_CONSENT_GRANTED
			       : u < granted[i] + denied[i] ? CXM_CONSENT_DENIED : CXM_CONSENT_UNKNOWN;
	}
	c->marketing = has_email && cu->consent[CXM_CONSENT_EMAIL] == CXM_CONSENT_GRANTED;
	c->whatsapp = cu->consent[CXM_CONSENT_WHATSAPP] == CXM_CONSENT_GRANTED;

	/* three in four were customers before the window; the rest join in it */
	c->lo = 0;
	c->hi = WINDOW_DAYS;
	if (chance(r, 750)) {
		created = g->start - between(r, 1, 4 * 365) * DAY_US;
		created -= (int64_t)below(r, 86400) * SEC_US;
	} else {
		c->lo = (int)between(r, 0, WINDOW_DAYS - 31);
		created = at_local(g, r, c->lo, hours_online, c->city->utc_offset_h);
		if (created < g->start)
			created = g->start;
	}
	if (c->profile == P_CHURNER)
		c->hi = c->lo + (int)between(r, 30, (WINDOW_DAYS - c->lo) * 3 / 4 > 30 ? (WINDOW_DAYS - c->lo) * 3 / 4 : 30);

	{
		char store[96] = "";
		if (c->preferred_store >= 0)
			cxm_xsnprintf(store, sizeof(store), ",\"preferred_store\":\"%s\"",
				      unit_defs[c->preferred_store].name);
		cxm_xsnprintf(c->attrs, sizeof(c->attrs),
			      "{\"segment\":\"%s\",\"city\":\"%s\",\"birth_year\":%d,\"acquisition\":\"%s\"%s}",
			      c->segment, c->city->name, birth_year, PICK(r, acquisition), store);
	}

	cu->external_id = c->ext;
	cu->first_name = c->first;
	cu->last_name = c->last;
	cu->email = has_email ? c->email : NULL;
	cu->phone = has_phone ? c->phone : NULL;
	cu->language = c->cd->language;
	cu->country = c->cd->code;
	cu->attributes = c->attrs;
	cu->created_at = created;
	cu->updated_at = created;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts the customer's events and moves those inside the window to the batch. */
static void take_events(struct gen *g, int64_t customer_id, const struct country_def *cd)
{
	qsort(g->cur, g->n_cur, sizeof(*g->cur), cmp_item);
	for (size_t i = 0; i < g->n_cur; i++) {
		const struct item *it = &g->cur[i];
		struct cxm_event *e;
		struct event_text *x;

		if (it->ts < g->start || it->ts >= g->end)
			continue;
		if (g->n_ev == g->cap_ev) {
			g->cap_ev = g->cap_ev ? g->cap_ev * 2 : BATCH + 512;
			g->ev = xrealloc(g->ev, g->cap_ev * sizeof(*g->ev));
			g->txt = xrealloc(g->txt, g->cap_ev * sizeof(*g->txt));
			g->late = xrealloc(g->late, g->cap_ev);
		}
		/* late only when no other event of the customer shares its time, so
		 * (ts, id) order is still the order in which things happened */
		g->late[g->n_ev] = it->late_arrival && (i == 0 || g->cur[i - 1].ts != it->ts) &&
				   (i + 1 == g->n_cur || g->cur[i + 1].ts != it->ts);
		e = &g->ev[g->n_ev];
		x = &g->txt[g->n_ev++];
		memset(e, 0, sizeof(*e));
		/* zero-padded so the (tenant, source_id) index grows at its end */
		cxm_xsnprintf(x->source_id, sizeof(x->source_id), "demo-%llu-%09lld", (unsigned long long)g->seed,
			      (long long)++g->next_event);
		{
			/* the store wants canonical JSON (sorted keys) */
			char why[64], *canon = cxm_json_canonical_object(it->props, why, sizeof(why));
			if (!canon)
				BUG("demo properties are not a JSON object");
			cxm_strlcpy(x->props, canon, sizeof(x->props));
			free(canon);
		}
		e->customer_id = customer_id;
		e->type = it->type;
		e->channel = it->channel;
		e->touchpoint = it->touchpoint;
		e->agent = it->agent;
		e->org_unit_id = it->unit >= 0 ? g->unit_id[it->unit] : 0;
		e->ts = it->ts;
		e->has_amount = it->has_amount;
		e->amount_micros = it->amount_micros;
		e->currency = it->currency;
		if (it->has_amount) { /* purchases, in the customer's currency */
			g->purchases++;
			g->revenue_eur += it->amount_micros * cd->to_eur_num / cd->to_eur_den;
		}
		if (it->fb != FB_NONE) {
			struct demo_fb_chance ch = { .kind = it->fb, .bad = it->fb_bad, .wait_s = it->fb_wait_s,
						     .ts = it->ts, .channel = it->channel,
						     .touchpoint = it->touchpoint, .agent = it->agent };
			demo_feedback_chance(g->fb, &ch, g->n_ev - 1);
		}
	}
	g->n_cur = 0;
}

/*
 * Stores the batch: first the events that arrive on time, then the late
 * ones, in a second call, after later events of their customers (what a
 * late carrier report does to the journeys' progress).
 */
static int put_batch(struct gen *g)
{
	struct cxm_event *tmp;
	size_t *from, n_late = 0, k = 0;
	int ret;

	for (size_t i = 0; i < g->n_ev; i++)
		n_late += g->late[i];
	if (!n_late)
		return cxm_store_events_put(g->s, g->tenant, g->ev, g->n_ev, NULL, NULL);
	tmp = xmalloc(g->n_ev * sizeof(*tmp));
	from = xmalloc(g->n_ev * sizeof(*from));
	for (unsigned char late = 0; late < 2; late++)
		for (size_t i = 0; i < g->n_ev; i++)
			if (g->late[i] == late) {
				tmp[k] = g->ev[i];
				from[k++] = i;
			}
	ret = cxm_store_events_put(g->s, g->tenant, tmp, g->n_ev - n_late, NULL, NULL);
	if (!ret)
		ret = cxm_store_events_put(g->s, g->tenant, tmp + g->n_ev - n_late, n_late, NULL, NULL);
	for (k = 0; k < g->n_ev; k++)
		g->ev[from[k]].id = tmp[k].id;
	free(tmp);
	free(from);
	return ret;
}

static int flush(struct gen *g)
{
	int ret;

	for (size_t i = 0; i < g->n_ev; i++) {
		g->ev[i].source_id = g->txt[i].source_id;
		g->ev[i].properties = g->txt[i].props;
	}
	ret = g->n_ev ? put_batch(g) : 0;
	if (!ret)
		ret = demo_feedback_flush(g->fb, g->ev);
	g->n_ev = 0;
	return ret;
}

static int add_customers(struct gen *g, int64_t total, const struct cxm_demo_opts *o)
{
	struct demo_rel_fact *facts = NULL;
	size_t cap_facts = 0;
	int ret = 0;

	for (int64_t n = 1; n <= total; n++) {
		struct rng r;
		struct cust c;
		struct cxm_customer cu = { 0 };
		int64_t id;

		rng_init(&r, g->seed, (uint64_t)n);
		rng_init(&g->x, g->seed ^ 0x6A6F75726E6579ULL, (uint64_t)n);
		make_customer(g, &r, n, &c, &cu);
		if ((ret = cxm_store_customer_put(g->s, g->tenant, &cu, &id, NULL)))
			goto out;
		if (chance(&r, 450)) {
			char cookie[40];
			struct cxm_identity idn = { .customer_id = id, .kind = "cookie_id", .value = cookie };
			/* fmix64 is a bijection, so distinct customers get distinct cookies */
			cxm_xsnprintf(cookie, sizeof(cookie), "ck_%016llx",
				      (unsigned long long)fmix64((uint64_t)n ^ (g->seed * 0x9E3779B97F4A7C15ull)));
			if ((ret = cxm_store_identity_add(g->s, g->tenant, &idn)))
				goto out;
		}
		{
			static const int mood[N_PROFILES] = { [P_BROWSER] = 0, [P_ONE_TIME] = 0, [P_OCCASIONAL] = 1,
							      [P_LOYAL] = 2, [P_CHURNER] = -2 };
			struct demo_fb_customer fc = { .id = id, .language = c.cd->language,
						       .mood = mood[c.profile], .has_email = cu.email != NULL };
			size_t n_facts;
			demo_feedback_customer(g->fb, n, &fc);
			history(g, &r, &c);
			n_facts = recommend(g, fc.mood, &facts, &cap_facts);
			take_events(g, id, c.cd);
			demo_feedback_relational(g->fb, n, g->rel_sends, g->n_rel_sends,
						 (g->day0 + c.lo) * DAY_US, (g->day0 + c.hi) * DAY_US,
						 facts, n_facts);
		}
		if (g->n_ev >= BATCH || n == total) {
			if ((ret = flush(g)))
				goto out;
			if (o && o->progress)
				o->progress(n, total, o->progress_ctx);
		}
	}
out:
	free(facts);
	return ret;
}

/* ---- organisation ------------------------------------------------------------ */

static int unit_found(const struct cxm_org_unit *u, void *ctx)
{
	*(int64_t *)ctx = u->id;
	return 0;
}

static int user_found(const struct cxm_user *u, void *ctx)
{
	*(int64_t *)ctx = u->id;
	return 0;
}

struct span_ctx {
	const struct gen *g;
	struct agent *a;
};

static int span_row(const struct cxm_membership *m, void *vctx)
{
	const struct span_ctx *ctx = vctx;
	const struct gen *g = ctx->g;
	struct agent *a = ctx->a;
	struct span *sp;

	if (a->n_spans == MAX_SPANS)
		return 0;
	sp = &a->spans[a->n_spans++];
	sp->unit = -1;
	for (int i = 0; i < N_UNITS; i++)
		if (g->unit_id[i] == m->unit_id)
			sp->unit = i;
	sp->from = m->valid_from;
	sp->to = m->valid_to;
	return 0;
}

/*
 * Units and users are found by name or created; only those created here are
 * placed, so a tenant that already has some of them keeps its own tree.
 */
static int add_org(struct gen *g)
{
	struct rng r;
	int ret = 0;

	rng_init(&r, g->seed, 0);
	for (int i = 0; i < N_UNITS; i++) {
		struct cxm_org_unit u = { .name = unit_defs[i].name, .kind = unit_defs[i].kind };
		ret = cxm_store_org_unit_find(g->s, g->tenant, u.name, unit_found, &g->unit_id[i]);
		if (ret == CXM_ENOTFOUND) {
			ret = cxm_store_org_unit_add(g->s, g->tenant, &u, &g->unit_id[i]);
			g->unit_new[i] = true;
		}
		if (ret)
			goto out;
	}
	for (int i = 0; i < N_UNITS; i++) {
		struct cxm_membership m = { .member_kind = CXM_MEMBER_UNIT, .member_id = g->unit_id[i],
					    .valid_from = g->start, .valid_to = CXM_TIME_MAX };
		if (unit_defs[i].parent < 0 || !g->unit_new[i])
			continue;
		m.unit_id = g->unit_id[unit_defs[i].parent];
		if ((ret = cxm_store_membership_add(g->s, g->tenant, &m, NULL)))
			goto out;
	}
	for (size_t i = 0; i < N_USERS; i++) {
		const struct user_def *d = &user_defs[i];
		char email[96];
		struct cxm_user u = { .username = d->username, .display_name = d->name, .email = email,
				      .role = d->role };
		cxm_xsnprintf(email, sizeof(email), "%s@casavoltia.example", d->username);
		ret = cxm_store_user_find(g->s, g->tenant, d->username, user_found, &g->user_id[i]);
		if (ret == CXM_ENOTFOUND) {
			ret = cxm_store_user_add(g->s, g->tenant, &u, &g->user_id[i]);
			g->user_new[i] = true;
		}
		if (ret)
			goto out;
		if (!g->user_new[i])
			continue;
		struct cxm_membership m = { .member_kind = CXM_MEMBER_USER, .member_id = g->user_id[i],
					    .unit_id = g->unit_id[d->unit], .valid_from = g->start,
					    .valid_to = CXM_TIME_MAX };
		if ((ret = cxm_store_membership_add(g->s, g->tenant, &m, NULL)))
			goto out;
		if (d->moves_to < 0)
			continue;
		/* mid-year, at midnight in Bogotá; the store closes the first membership */
		m.unit_id = g->unit_id[d->moves_to];
		m.valid_from = (g->day0 + between(&r, 110, 250)) * DAY_US + 5 * HOUR_US;
		if ((ret = cxm_store_membership_add(g->s, g->tenant, &m, NULL)))
			goto out;
	}
	/* where every agent was when, as the store has it, for handing out work */
	for (size_t i = 0; i < N_USERS; i++) {
		struct span_ctx ctx = { g, NULL };
		if (strcmp(user_defs[i].role, "agent"))
			continue;
		ctx.a = &g->agents[g->n_agents++];
		ctx.a->username = user_defs[i].username;
		ctx.a->id = g->user_id[i];
		if ((ret = cxm_store_membership_history(g->s, g->tenant, CXM_MEMBER_USER, ctx.a->id, span_row,
							&ctx)))
			goto out;
	}
out:
	return ret;
}

/* ---- the calendar ---------------------------------------------------------- */

static void init_calendar(struct gen *g)
{
	g->day0 = (g->start + DAY_US - 1) / DAY_US; /* the first midnight in the window; start >= 0 */
	g->bf_day = -1;
	g->n_months = 0;
	g->cum[0] = 0;
	for (int d = 0; d < WINDOW_DAYS; d++) {
		int64_t days = g->day0 + d, y;
		unsigned m, dd, wd = (unsigned)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
		int64_t w;

		cxm_civil_from_days(days, &y, &m, &dd);
		g->day_month[d] = (unsigned char)m;
		/* the relational survey: quarterly, on the 6th of Jan, Apr, Jul, Oct, 15:00 UTC */
		if (dd == 6 && m % 3 == 1 && g->n_rel_sends < ARRAY_SIZE(g->rel_sends))
			g->rel_sends[g->n_rel_sends++] = days * DAY_US + 15 * HOUR_US;
		if (d == 0 || dd == 1)
			g->months[g->n_months++] = (struct month){ d, y, m };
		w = (int64_t)month_weight[m] * weekday_weight[wd];
		if (m == 11) {
			int64_t nov1 = cxm_days_from_civil(y, 11, 1);
			int64_t thu = nov1 + ((4 - ((nov1 % 7) + 11) % 7) + 7) % 7; /* first Thursday */
			int64_t bf = thu + 22;
			if (days == bf)
				g->bf_day = d;
			if (days >= bf - 1 && days <= bf + 3) /* Thanksgiving to Cyber Monday */
				w *= 3;
		}
		if (m == 12 && dd >= 15 && dd <= 23)
			w = w * 13 / 10;
		if ((m == 12 && dd == 25) || (m == 1 && dd == 1))
			w = w * 4 / 10;
		g->cum[d + 1] = g->cum[d] + w;
	}
}

struct tenant_seek {
	int64_t id;
	bool found;
};

static int tenant_row(const struct cxm_tenant *t, void *ctx)
{
	struct tenant_seek *ts = ctx;

	ts->found = ts->found || t->id == ts->id;
	return 0;
}

static void gen_release(struct gen *g)
{
	free(g->seen.h);
	free(g->cur);
	free(g->ev);
	free(g->txt);
	free(g->late);
	demo_feedback_free(g->fb);
}

int cxm_demo_generate(struct cxm_store *s, int64_t tenant, const struct cxm_demo_opts *o,
		      struct cxm_demo_report *r)
{
	struct gen *g = xcalloc(1, sizeof(*g));
	struct cxm_stats before, after;
	struct tenant_seek seek = { tenant, false };
	int64_t customers = o && o->customers ? o->customers : DEFAULT_CUSTOMERS;
	int64_t end = o ? o->end_us : 0;
	int ret, began = 0;

	if (customers < 0 || (end && end < WINDOW_DAYS * DAY_US)) {
		ret = CXM_EINVAL;
		goto out;
	}
	if (customers > MAX_CUSTOMERS) {
		ret = CXM_ETOOBIG;
		goto out;
	}
	if (!end) /* 2026-10-31T23:59:59Z */
		end = (cxm_days_from_civil(2026, 10, 31) + 1) * DAY_US - SEC_US;
	g->s = s;
	g->tenant = tenant;
	g->seed = o && o->seed ? o->seed : DEFAULT_SEED;
	g->end = end;
	g->start = end - WINDOW_DAYS * DAY_US;
	init_calendar(g);

	/* the caller's transaction, if it has one (e.g. with the tenant's creation) */
	if (!cxm_store_in_transaction(s)) {
		if ((ret = cxm_store_begin(s)))
			goto out;
		began = 1;
	}
	if ((ret = cxm_store_tenant_list(s, tenant_row, &seek)))
		goto out;
	if (!seek.found) {
		ret = CXM_ENOTFOUND;
		goto out;
	}
	if ((ret = cxm_store_stats(s, tenant, &before)))
		goto out;
	if (before.customers) {
		ret = CXM_ECONFLICT;
		goto out;
	}
	/* marks the tenant as the demo's: its e-mail goes only to a local SMTP server */
	if ((ret = cxm_store_setting_set(s, tenant, "demo", "true")) || (ret = add_org(g)) ||
	    (ret = demo_feedback_new(s, tenant, g->seed, end, &g->fb)) ||
	    (ret = demo_journeys_create(s, tenant, demo_feedback_relational_id(g->fb))) ||
	    (ret = add_customers(g, customers, o)))
		goto out;
	if ((ret = cxm_store_stats(s, tenant, &after)))
		goto out;
	if (began)
		ret = cxm_store_commit(s);
	began = 0;
	if (!ret && r) {
		memset(r, 0, sizeof(*r));
		r->customers = after.customers - before.customers;
		r->identities = after.identities - before.identities;
		r->events = after.events - before.events;
		r->users = after.users - before.users;
		r->org_units = after.org_units - before.org_units;
		r->memberships = after.memberships - before.memberships;
		r->purchases = g->purchases;
		r->revenue_micros = g->revenue_eur;
		r->currency = "EUR";
		demo_feedback_counts(g->fb, &r->responses, &r->invitations);
		demo_feedback_relational_counts(g->fb, &r->relational_responses, &r->relational_invitations);
	}
out:
	if (began)
		cxm_store_rollback(s);
	gen_release(g);
	free(g);
	return ret;
}
