/* triggers.c - checking trigger definitions and matching events (triggers.h). */
#include "cxm/triggers.h"
#include "cxm/check.h"
#include "cxm/core.h"
#include "cxm/customers.h"
#include "cxm/events.h"
#include "cxm/i18n.h"

#include <math.h>

/* A required string member; NULL after cxm_fail() when absent or not a string. */
static const char *need_str(const cJSON *o, const char *key, const char *field, struct cxm_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v || cJSON_IsNull(v)) {
		cxm_fail(e, field, "%s", _(MSG_TR_REQUIRED));
		return NULL;
	}
	if (!cJSON_IsString(v)) {
		cxm_fail(e, field, "%s", _(MSG_TR_WANT_STRING));
		return NULL;
	}
	return v->valuestring;
}

int cxm_trigger_delay_parse(const char *s, int64_t *out)
{
	static const struct {
		char unit;
		int64_t secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	size_t n = s ? strlen(s) : 0;
	int64_t v;

	if (n < 2 || n > 12 || s[0] == '+' || s[0] == '-' || cxm_parse_i64(s, n - 1, &v) || v < 0)
		return CXM_EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (s[n - 1] != units[i].unit)
			continue;
		if (v > CXM_TRIGGER_DELAY_MAX / units[i].secs)
			return CXM_EINVAL;
		*out = v * units[i].secs;
		return 0;
	}
	return CXM_EINVAL;
}

char *cxm_trigger_delay_format(int64_t seconds, char *out, size_t outlen)
{
	if (seconds > 0 && seconds % 86400 == 0)
		snprintf(out, outlen, "%lldd", (long long)(seconds / 86400));
	else if (seconds > 0 && seconds % 3600 == 0)
		snprintf(out, outlen, "%lldh", (long long)(seconds / 3600));
	else if (seconds > 0 && seconds % 60 == 0)
		snprintf(out, outlen, "%lldm", (long long)(seconds / 60));
	else
		snprintf(out, outlen, "%llds", (long long)seconds);
	return out;
}

static int check_on(const cJSON *on, struct cxm_trigger_def *d, struct cxm_err *e)
{
	static const char *const keys[] = { "type", "channel", "properties", NULL };
	const cJSON *ch, *props;
	char why[200];
	int ret, k = 0;

	if (!cJSON_IsObject(on))
		return cxm_fail(e, "on", "%s", on ? _(MSG_TR_WANT_OBJECT) : _(MSG_TR_REQUIRED));
	if ((ret = cxm_only_keys(on, keys, "on", MSG_TR_UNKNOWN_KEY, e)))
		return ret;
	if (!(d->event_type = need_str(on, "type", "on.type", e)))
		return CXM_EINVAL;
	if (cxm_event_type_check(d->event_type, why, sizeof(why)))
		return cxm_fail(e, "on.type", "%s", why);
	ch = cJSON_GetObjectItemCaseSensitive(on, "channel");
	if (ch && !cJSON_IsNull(ch)) {
		if (!cJSON_IsString(ch))
			return cxm_fail(e, "on.channel", "%s", _(MSG_TR_WANT_STRING));
		if (cxm_channel_normalize(ch->valuestring, d->channel_buf, sizeof(d->channel_buf), why, sizeof(why)))
			return cxm_fail(e, "on.channel", "%s", why);
		d->event_channel = d->channel_buf;
	}
	props = cJSON_GetObjectItemCaseSensitive(on, "properties");
	if (!props || cJSON_IsNull(props))
		return 0;
	if (!cJSON_IsObject(props))
		return cxm_fail(e, "on.properties", "%s", _(MSG_TR_WANT_OBJECT));
	if (cJSON_GetArraySize(props) > CXM_TRIGGER_CONDITIONS_MAX)
		return cxm_fail(e, "on.properties", _(MSG_TR_TOO_MANY_CONDITIONS), CXM_TRIGGER_CONDITIONS_MAX);
	for (const cJSON *it = props->child; it; it = it->next, k++) {
		char f[96];
		snprintf(f, sizeof(f), "on.properties.%.64s", it->string);
		if (!*it->string || strlen(it->string) > 64 || cxm_text_check(it->string, 64, why, sizeof(why)))
			return cxm_fail(e, f, "%s", _(MSG_TR_BAD_PROPERTY_NAME));
		if (cJSON_IsString(it)) {
			if (cxm_text_check(it->valuestring, 200, why, sizeof(why)))
				return cxm_fail(e, f, "%s", why);
		} else if (cJSON_IsNumber(it)) {
			if (!isfinite(it->valuedouble))
				return cxm_fail(e, f, "%s", _(MSG_TR_BAD_CONDITION));
		} else if (!cJSON_IsBool(it)) {
			return cxm_fail(e, f, "%s", _(MSG_TR_BAD_CONDITION));
		}
	}
	d->conditions = props;
	return 0;
}

int cxm_trigger_check(const cJSON *body, struct cxm_trigger_def *d, char *field, size_t fieldlen, char *why,
		      size_t whylen)
{
	static const char *const keys[] = { "name", "survey_id", "on", "delay", "channel", "active", NULL };
	struct cxm_err e = { field, fieldlen, why, whylen };
	const cJSON *active;
	const char *s;
	char tmp[200];
	int ret;

	memset(d, 0, sizeof(*d));
	field[0] = '\0';
	if (!cJSON_IsObject(body))
		return cxm_fail(&e, "", "%s", _(MSG_TR_WANT_OBJECT));
	if ((ret = cxm_only_keys(body, keys, "", MSG_TR_UNKNOWN_KEY, &e)))
		return ret;
	if (!(d->name = need_str(body, "name", "name", &e)))
		return CXM_EINVAL;
	if (!*d->name || strlen(d->name) > CXM_TRIGGER_NAME_MAX)
		return cxm_fail(&e, "name", _(MSG_TR_BAD_NAME), CXM_TRIGGER_NAME_MAX);
	if (cxm_text_check(d->name, CXM_TRIGGER_NAME_MAX, tmp, sizeof(tmp)))
		return cxm_fail(&e, "name", "%s", tmp);
	if (!(s = need_str(body, "survey_id", "survey_id", &e)))
		return CXM_EINVAL;
	if (cxm_parse_i64(s, strlen(s), &d->survey_id) || d->survey_id <= 0)
		return cxm_fail(&e, "survey_id", "%s", _(MSG_TR_WANT_ID));
	if ((ret = check_on(cJSON_GetObjectItemCaseSensitive(body, "on"), d, &e)))
		return ret;
	if (!(s = need_str(body, "delay", "delay", &e)))
		return CXM_EINVAL;
	if (cxm_trigger_delay_parse(s, &d->delay_seconds))
		return cxm_fail(&e, "delay", "%s", _(MSG_TR_BAD_DELAY));
	if (!(d->channel = need_str(body, "channel", "channel", &e)))
		return CXM_EINVAL;
	if (strcmp(d->channel, "email") && strcmp(d->channel, "web"))
		return cxm_fail(&e, "channel", "%s", _(MSG_TR_BAD_CHANNEL));
	active = cJSON_GetObjectItemCaseSensitive(body, "active");
	d->active = true;
	if (active && !cJSON_IsBool(active))
		return cxm_fail(&e, "active", "%s", _(MSG_TR_WANT_BOOL));
	if (active)
		d->active = cJSON_IsTrue(active);
	return 0;
}

bool cxm_property_equals(const cJSON *want, const cJSON *have)
{
	if (cJSON_IsString(want))
		return cJSON_IsString(have) && !strcmp(want->valuestring, have->valuestring);
	if (cJSON_IsNumber(want))
		return cJSON_IsNumber(have) && want->valuedouble == have->valuedouble;
	if (cJSON_IsBool(want))
		return cJSON_IsBool(have) && cJSON_IsTrue(want) == cJSON_IsTrue(have);
	return false;
}

bool cxm_trigger_matches(const char *event_type, const char *event_channel, const cJSON *conditions,
			 const char *type, const char *channel, const char *props_json)
{
	cJSON *props;
	bool hit = true;

	if (!type || strcmp(event_type, type))
		return false;
	if (event_channel && (!channel || strcmp(event_channel, channel)))
		return false;
	if (!conditions || !conditions->child)
		return true;
	props = props_json ? cJSON_Parse(props_json) : NULL;
	for (const cJSON *it = conditions->child; it && hit; it = it->next)
		hit = cxm_property_equals(it, cJSON_GetObjectItemCaseSensitive(props, it->string));
	cJSON_Delete(props);
	return hit;
}
