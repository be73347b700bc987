/* i18n.c - the es/en message catalogue (entries in cxm/messages.def). */
#include "cxm/i18n.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *text[2];
} catalogue[] = {
#define MSG(id, en, es) { #id, { en, es } },
#include "cxm/messages.def"
#undef MSG
};

/* per thread: each server thread speaks the language of its request */
static _Thread_local enum cxm_lang current = CXM_LANG_EN;

void cxm_i18n_set(const char *lang)
{
	current = lang && (lang[0] == 'e' || lang[0] == 'E') && (lang[1] == 's' || lang[1] == 'S') &&
			  (lang[2] == '\0' || lang[2] == '_' || lang[2] == '-' || lang[2] == '.')
		? CXM_LANG_ES
		: CXM_LANG_EN;
}

void cxm_i18n_from_env(void)
{
	static const char *vars[] = { "CXM_LANG", "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v) {
			cxm_i18n_set(v);
			return;
		}
	}
	current = CXM_LANG_EN;
}

enum cxm_lang cxm_i18n_lang(void)
{
	return current;
}

const char *cxm_msg_in(enum cxm_msg id, enum cxm_lang lang)
{
	if ((unsigned)id >= CXM_MSG_COUNT)
		return "?";
	return catalogue[id].text[lang == CXM_LANG_ES];
}

const char *cxm_msg(enum cxm_msg id)
{
	return cxm_msg_in(id, current);
}

const char *cxm_msg_name(enum cxm_msg id)
{
	return (unsigned)id < CXM_MSG_COUNT ? catalogue[id].name : "?";
}
