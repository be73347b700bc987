/*
 * i18n.h - the es/en message catalogue. Every string a person reads (CLI
 * help and messages, later the dashboard and e-mails) is a catalogue entry
 * with an English and a Spanish text that take the same printf arguments.
 * The entries live in messages.def beside this header.
 */
#ifndef CXM_I18N_H
#define CXM_I18N_H

/*
 * The languages cxm speaks. CXM_LANG_OTHER is what the text engine
 * (text.h) says of a comment in neither language; messages asked for in it
 * come in English.
 */
enum cxm_lang { CXM_LANG_EN = 0, CXM_LANG_ES = 1, CXM_LANG_OTHER = 2 };

enum cxm_msg {
#define MSG(id, en, es) id,
#include "cxm/messages.def"
#undef MSG
	CXM_MSG_COUNT
};

/* Chooses the language of the calling thread: "es", "es_CO.UTF-8", "en-US"
 * ...; unknown is English. */
void cxm_i18n_set(const char *lang);
/* Picks the language from CXM_LANG, then LC_ALL, LC_MESSAGES, LANG. */
void cxm_i18n_from_env(void);
enum cxm_lang cxm_i18n_lang(void);
/* The text of a message in the current language (static; never NULL). */
const char *cxm_msg(enum cxm_msg id);
/* The text in a given language. */
const char *cxm_msg_in(enum cxm_msg id, enum cxm_lang lang);
/* The id's name ("MSG_IMPORT_DONE"), for tests. */
const char *cxm_msg_name(enum cxm_msg id);

#define _(id) cxm_msg(id)

#endif
