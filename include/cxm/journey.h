/*
 * journey.h - customer journeys (docs/journeys.md): a tenant's stages
 * before, during and after purchase, the touchpoints that put a customer
 * in each stage, every customer's progress, funnels and paths.
 *
 * A journey as the API takes it:
 *
 *   {"name": "Compra online", "conversion_window": "30d",
 *    "stages": [
 *      {"key": "descubrimiento", "name": "Descubrimiento", "phase": "before",
 *       "touchpoints": [
 *         {"key": "anuncios", "name": "Anuncios",
 *          "match": {"type": "ad_click", "channel": "social"}},
 *         {"key": "newsletter", "match": {"type": "email_click", "touchpoint": "newsletter"}}]},
 *      {"key": "compra", "name": "Compra", "phase": "during",
 *       "touchpoints": [
 *         {"key": "checkout_web", "match": {"type": "purchase", "touchpoint": ["checkout"]},
 *          "feedback": ["checkout"]}],
 *       "next": ["entrega"]}, ...],
 *    "outcome_survey_id": "123"}
 *
 * - stages: 1..CXM_JOURNEY_STAGES_MAX, keys unique ([a-z0-9_]{1,64}),
 *   phase "before" | "during" | "after"; name defaults to the key.
 * - touchpoints: each stage has 1..; keys unique within the journey. A
 *   touchpoint's match has a required type, an optional channel, an optional
 *   touchpoint (a string or a list of up to CXM_JOURNEY_MATCH_TP_MAX: the
 *   event's touchpoint must be one of them) and optional properties
 *   (equalities, the semantics of cxm_trigger_matches).
 * - Two rules of one journey may not overlap (an event reaches at most one
 *   touchpoint of a journey); rules of different journeys may.
 * - next: the stages a customer moves on to; absent = the following stage
 *   (the last stage has none). Explicit next allows branches; a cycle is an
 *   error. A customer may enter at any stage.
 * - feedback: the response touchpoints (responses.touchpoint) whose scores
 *   and comments belong to this touchpoint; absent = match.touchpoint.
 * - conversion_window: "1h".."365d" (cxm_trigger_delay_parse), default 30d.
 * - outcome_survey_id: the survey whose NPS the moments of truth explain;
 *   absent = none chosen (the map then uses the tenant's overall NPS).
 *
 * Nodes: a journey's stages and touchpoints are numbered together, stage i
 * is node i (0..15), touchpoint j is node CXM_JOURNEY_STAGES_MAX + j. Node
 * numbers belong to one version of the definition.
 *
 * Everything above the "with the store" line is pure.
 */
#ifndef CXM_JOURNEY_H
#define CXM_JOURNEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define CXM_JOURNEY_NAME_MAX 120
#define CXM_JOURNEY_KEY_MAX 64
#define CXM_JOURNEY_STAGES_MAX 16
#define CXM_JOURNEY_TOUCHPOINTS_MAX 64
#define CXM_JOURNEY_NODES_MAX (CXM_JOURNEY_STAGES_MAX + CXM_JOURNEY_TOUCHPOINTS_MAX)
#define CXM_JOURNEY_MATCH_TP_MAX 16    /* touchpoint values in one match */
#define CXM_JOURNEY_FEEDBACK_MAX 16    /* feedback touchpoints of one touchpoint */
#define CXM_JOURNEY_ACTIVE_MAX 20      /* active journeys per tenant */
#define CXM_JOURNEY_WINDOW_MIN ((int64_t)3600)        /* seconds */
#define CXM_JOURNEY_WINDOW_MAX ((int64_t)365 * 86400)
#define CXM_JOURNEY_WINDOW_DEFAULT ((int64_t)30 * 86400)

enum cxm_phase { CXM_PHASE_BEFORE = 0, CXM_PHASE_DURING, CXM_PHASE_AFTER };
/* "before", "during", "after". */
const char *cxm_phase_name(enum cxm_phase p);

struct cxm_journey_match {
	const char *type;                /* required */
	char channel[16];                /* "" = any channel */
	const char *touchpoints[CXM_JOURNEY_MATCH_TP_MAX];
	size_t touchpoints_n;            /* 0 = any touchpoint */
	const cJSON *properties;         /* object of equalities; NULL = none */
};

struct cxm_journey_touchpoint {
	const char *key;
	const char *name;                /* the key when absent */
	int stage;                       /* index into stages */
	struct cxm_journey_match match;
	const char *feedback[CXM_JOURNEY_FEEDBACK_MAX];
	size_t feedback_n;               /* filled from match.touchpoints when absent */
};

struct cxm_journey_stage {
	const char *key;
	const char *name;
	enum cxm_phase phase;
	int first_tp, n_tp;              /* its touchpoints: tps[first_tp .. first_tp + n_tp) */
	int next[CXM_JOURNEY_STAGES_MAX];
	size_t next_n;                   /* 0: a final stage */
};

/* A checked journey: borrows its strings from the tree it was made from. */
struct cxm_journey_def {
	const char *name;
	int64_t window_s;
	int64_t outcome_survey_id;       /* 0: none */
	int n_stages, n_tps;
	struct cxm_journey_stage stages[CXM_JOURNEY_STAGES_MAX];
	struct cxm_journey_touchpoint tps[CXM_JOURNEY_TOUCHPOINTS_MAX];
};

/*
 * Checks a journey body. On success fills d and returns 0; else CXM_EINVAL
 * with the offending field ("stages[2].touchpoints[0].match.type",
 * "stages[5].next[0]", "conversion_window") and the reason in the current
 * language: no stages or too many, duplicate keys, unknown phase, a stage
 * without touchpoints ("no event can reach it"), a rule without type, an
 * unknown channel, overlapping rules (naming the other touchpoint and an
 * event that would match both), next naming an unknown stage, a cycle
 * (naming it: "Postventa → Uso → Postventa"), a window out of range.
 */
int cxm_journey_check(const cJSON *body, struct cxm_journey_def *d, char *field, size_t fieldlen, char *why,
		      size_t whylen);
/* The canonical definition (defaults filled in, keys in a fixed order):
 * what the store keeps and GET returns. The caller frees it. */
cJSON *cxm_journey_to_json(const struct cxm_journey_def *d);

/* Node numbers of a stage and a touchpoint; the stage of a node. */
static inline int cxm_journey_stage_node(int stage) { return stage; }
static inline int cxm_journey_tp_node(int tp) { return CXM_JOURNEY_STAGES_MAX + tp; }
static inline bool cxm_journey_node_is_stage(int node) { return node < CXM_JOURNEY_STAGES_MAX; }
int cxm_journey_node_stage(const struct cxm_journey_def *d, int node);
/* A node by key: a stage key, or "stage.touchpoint" / a touchpoint key.
 * -1 when none. */
int cxm_journey_node_find(const struct cxm_journey_def *d, const char *key);

/*
 * The touchpoint (index into d->tps) an event reaches, or -1. props_json is
 * the event's properties object text (NULL for {}); touchpoint may be NULL.
 */
int cxm_journey_match_event(const struct cxm_journey_def *d, const char *type, const char *channel,
			    const char *touchpoint, const char *props_json);
/* Whether any touchpoint rule of d tests properties (so the event class -
 * type, channel, touchpoint - alone does not decide a match). */
bool cxm_journey_needs_properties(const struct cxm_journey_def *d);

/* ---- a customer's progress in one journey --------------------------------- */

struct cxm_journey_node_state {
	int64_t first, last;             /* UTC microseconds; 0 when never */
	uint32_t n;                      /* events that reached it */
};

/*
 * A function of the set of the customer's matched events, never of their
 * order of arrival: adding the same events in any order gives the same
 * state. current is the stage of the latest event (ties: the larger event
 * id), -1 before any.
 */
struct cxm_journey_state {
	int current;
	int64_t current_ts, current_id;
	struct cxm_journey_node_state node[CXM_JOURNEY_NODES_MAX];
};

void cxm_journey_state_init(struct cxm_journey_state *st);
/* One event that reached touchpoint tp at ts (its stage node is updated too). */
void cxm_journey_state_add(const struct cxm_journey_def *d, struct cxm_journey_state *st, int tp, int64_t ts,
			   int64_t event_id);

/*
 * A customer's contribution to the journey's rollups, one item per node
 * reached: the entry day is the tenant-local day of `first`; converted when
 * a successor stage (a touchpoint's: its stage's successors) was first
 * reached at g > first with g - first <= window; seconds = g - first then.
 * Rollups are the sum of every customer's contribution, so a change of
 * state moves them by contrib(new) - contrib(old).
 */
struct cxm_journey_contrib {
	int node;
	int64_t first;                   /* UTC microseconds of entry */
	bool converted;
	int64_t seconds;                 /* time to the next stage, when converted */
};
size_t cxm_journey_contrib_of(const struct cxm_journey_def *d, const struct cxm_journey_state *st,
			      struct cxm_journey_contrib out[CXM_JOURNEY_NODES_MAX]);

/*
 * Time buckets for time in stage: bucket 0 is under a minute, bucket b >= 1
 * is [60 s * 1.3^(b-1), 60 s * 1.3^b), the last open-ended (from about 450
 * days, beyond the longest conversion window). Quantiles interpolate
 * log-linearly inside a bucket: at most 30% off in the worst case, a few
 * per cent on smooth data (docs/journeys.md).
 */
#define CXM_JOURNEY_BUCKETS 53
int cxm_journey_bucket(int64_t seconds);
/* The q-quantile (0 < q < 1) in seconds of a histogram; -1 when empty. */
int64_t cxm_journey_bucket_quantile(const int64_t counts[CXM_JOURNEY_BUCKETS], double q);

/* ---- friction ------------------------------------------------------------- */

/*
 * Friction 0..100 = 100 * sum(w_i x_i) / sum(w_i) over the components
 * present: drop-off (dropped / mature entries), effort (share of CES
 * answers that are not easy, or of CSAT answers not satisfied when the
 * touchpoint has no CES) and negative sentiment (negative / comments). A
 * component counts from CXM_FRICTION_MIN_N observations. The interval
 * combines the components' Agresti-Coull bounds (lower with lower, upper
 * with upper). Colours: green below bands[0], amber below bands[1], red.
 */
#define CXM_FRICTION_MIN_N 30
struct cxm_friction_input {
	int64_t dropped, mature;         /* drop-off */
	int64_t not_easy, effort_n;      /* effort */
	bool effort_from_csat;
	int64_t negative, comments;      /* sentiment */
};
struct cxm_friction_weights {
	double dropoff, effort, sentiment;   /* each 0..1, sum > 0; defaults 0.4 0.3 0.3 */
	double bands[2];                     /* defaults 25, 50 */
};
struct cxm_friction {
	bool valid;                      /* false: no component had enough data */
	double value, lo, hi;
	unsigned components;             /* 1 drop-off, 2 effort, 4 sentiment */
	const char *colour;              /* "green", "amber", "red"; NULL when !valid */
};
void cxm_friction_weights_default(struct cxm_friction_weights *w);
void cxm_friction_of(const struct cxm_friction_input *in, const struct cxm_friction_weights *w,
		     struct cxm_friction *out);

/*
 * The tenant's setting "journeys": {"friction_weights": {"dropoff",
 * "effort", "sentiment"}, "friction_bands": [amber, red]} (GET/PUT
 * /api/v1/settings/journeys, docs/journeys.md "Friction").
 *
 * cxm_friction_weights_read: what the map uses from the stored text
 * (borrowed; NULL when unset): each weight and the bands when in range,
 * the defaults for the rest or when the weights would sum to 0.
 * cxm_journey_settings_check: checks a setting to store: only those two
 * keys; the weights all three, each in [0, 1], summing to 1 (within
 * CXM_FRICTION_WEIGHTS_EPS); bands 0 < amber < red <= 100; what is left
 * out takes its default. Fills *out (may be NULL); CXM_EINVAL with the
 * field and the reason (language of the thread) in the caller's buffers.
 * cxm_journey_settings_json: the whole setting as JSON (caller owns).
 */
#define CXM_FRICTION_WEIGHTS_EPS 1e-9
void cxm_friction_weights_read(const char *stored, struct cxm_friction_weights *out);
int cxm_journey_settings_check(const cJSON *o, struct cxm_friction_weights *out, char *field, size_t fieldlen,
			       char *why, size_t whylen);
cJSON *cxm_journey_settings_json(const struct cxm_friction_weights *w);

/* ---- customer sequences, funnels and paths --------------------------------- */

/*
 * A customer's compact event sequence (kept by the store on ingest, read by
 * cxm_store_seq_scan): every event as its time, its class (the tenant's
 * dictionary id of (type, channel, touchpoint)) and the journey touchpoints
 * it reached (tags: journey slot << 8 | touchpoint index, for the active
 * journeys as last built). Entries come in (ts, event id) order.
 */
struct cxm_seq_entry {
	int64_t ts;
	uint32_t cls;
	uint32_t ntags;
	const uint32_t *tags;
};
#define CXM_SEQ_TAG(slot, tp) (((uint32_t)(slot) << 8) | (uint32_t)(tp))

/* An event class of the tenant: what a class id stands for. */
struct cxm_event_class {
	uint32_t id;
	const char *type, *channel, *touchpoint;  /* touchpoint may be NULL */
};

/* A funnel or path step: an event (type, channel?, touchpoint?) or a
 * journey node (a stage: any of its touchpoints; a touchpoint). */
struct cxm_step {
	bool is_node;
	const char *type, *channel, *touchpoint;  /* events: NULL = any (type required) */
	int slot, node;                           /* nodes: the journey's slot and node */
	const char *label;                        /* for answers: "purchase/checkout", "Compra" */
	const struct cxm_journey_def *journey;    /* nodes: the definition of slot (a stage step needs it
						     to know its touchpoints; NULL: a stage matches nothing) */
};

#define CXM_FUNNEL_STEPS_MAX 20
#define CXM_FUNNEL_GROUPS_MAX 64
#define CXM_FUNNEL_GROUPS_SEEN_MAX 4096   /* distinct groups counted; later ones go to "other" */

enum cxm_funnel_by { CXM_FUNNEL_BY_NONE = 0, CXM_FUNNEL_BY_SEGMENT, CXM_FUNNEL_BY_WEEK, CXM_FUNNEL_BY_MONTH };

/*
 * Semantics (docs/journeys.md "Funnels"; the SQL peers in bench/journey
 * compute the same): a customer enters at their first step-1 entry with ts
 * in [from, to); step k is the first entry matching step k with ts strictly
 * after step k-1's and at most window after step 1. Time to convert is
 * t_N - t_1, quantiles exact (percentile_disc).
 */
struct cxm_funnel_query {
	int64_t from, to;                /* UTC microseconds, to exclusive */
	int64_t window_us;
	struct cxm_step steps[CXM_FUNNEL_STEPS_MAX];
	size_t n;
	enum cxm_funnel_by by;
	const char *tz;                  /* for week/month groups */
};

struct cxm_funnel_group {
	const char *key;                 /* the segment, "2026-W14", "2026-04"; NULL for all, for the
	                                  * customers without a segment and for other (arena) */
	int64_t reached[CXM_FUNNEL_STEPS_MAX];
	int64_t p50_us, p90_us;          /* time to convert; -1 when nobody converted */
	int64_t times[CXM_JOURNEY_BUCKETS];   /* histogram of time to convert (seconds buckets) */
	bool other;                      /* the groups beyond the largest, summed (key NULL) */
};

struct cxm_funnel_result {
	struct cxm_funnel_group all;
	struct cxm_funnel_group *groups;  /* by != NONE; the largest CXM_FUNNEL_GROUPS_MAX, the rest in "other" */
	size_t groups_n;
};

struct cxm_funnel;   /* a funnel being computed */
struct cxm_arena;
struct cxm_funnel *cxm_funnel_new(const struct cxm_funnel_query *q, struct cxm_arena *a);
/* Every class of the tenant, before the customers. */
void cxm_funnel_class(struct cxm_funnel *f, const struct cxm_event_class *c);
/* One customer (segment may be NULL). */
void cxm_funnel_customer(struct cxm_funnel *f, const char *segment, const struct cxm_seq_entry *e, size_t n);
/* The result, valid while the arena lives. */
void cxm_funnel_result(struct cxm_funnel *f, struct cxm_funnel_result *out);

/*
 * Paths: from each customer's first `start` in [from, to), the following
 * entries as labels at a level (events as "type/touchpoint", or the stage
 * or touchpoint of one journey), consecutive repeats collapsed, until
 * `end` ("(end)"), max_steps ("…"), or the customer's last entry or the
 * window ("(left)"). The answer: the top sequences and a Sankey graph whose
 * nodes are (depth, label) so loops stay acyclic.
 */
enum cxm_path_level { CXM_PATH_EVENT = 0, CXM_PATH_STAGE, CXM_PATH_TOUCHPOINT };
#define CXM_PATH_STEPS_MAX 10
#define CXM_PATH_TOP_MAX 100

struct cxm_path_query {
	int64_t from, to, window_us;
	struct cxm_step start;
	struct cxm_step end;             /* end.type == NULL && !end.is_node: no end */
	enum cxm_path_level level;
	int slot;                        /* the journey, for stage/touchpoint levels */
	const struct cxm_journey_def *journey;
	size_t max_steps, top;
};

struct cxm_path_sequence {
	const char **labels;
	size_t n;
	int64_t customers;
};
struct cxm_path_link {
	size_t from, to;                 /* indexes into nodes */
	int64_t customers;
	int64_t median_us;               /* time between the two, -1 when unknown */
};
struct cxm_path_node {
	size_t depth;
	const char *label;               /* "(left)" and "(end)" are the sinks */
	int64_t customers;
	int64_t left;                    /* customers whose path stops here */
};
struct cxm_path_result {
	int64_t customers;               /* who started */
	struct cxm_path_sequence *sequences;
	size_t sequences_n;
	int64_t other;                   /* customers on sequences beyond the top */
	struct cxm_path_node *nodes;
	size_t nodes_n;
	struct cxm_path_link *links;
	size_t links_n;
};

struct cxm_paths;
struct cxm_paths *cxm_paths_new(const struct cxm_path_query *q, struct cxm_arena *a);
void cxm_paths_class(struct cxm_paths *p, const struct cxm_event_class *c);
void cxm_paths_customer(struct cxm_paths *p, const struct cxm_seq_entry *e, size_t n);
void cxm_paths_result(struct cxm_paths *p, struct cxm_path_result *out);

#endif
