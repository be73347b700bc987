/*
 * sentiment-rules.h - the rule words of the sentiment engine: negators,
 * boosters and dampeners, contrast words, per language. Our own lists
 * (English written from the description in Hutto & Gilbert 2014; Spanish
 * for how customers write in Spain and Latin America). Read at build time
 * by tools/gen-lexicon.c, which puts each word into its language's hash
 * table with its role, so that one lookup gives a token's valence and role.
 */
#ifndef CXM_TEXT_SENTIMENT_RULES_H
#define CXM_TEXT_SENTIMENT_RULES_H

/*
 * R_SKIP: Spanish clitics and articles that do not count towards the
 * distance between a negator or booster and its word ("no me lo
 * recomendaron"). R_POST_BOOST: intensifiers that follow the word they
 * raise ("tardó muchísimo"). R_POCO: "poco", which before a positive word
 * negates it ("poco amable"). R_LEAST: VADER's "least". R_SPECIAL: a word
 * whose role depends on the next one ("kind of", "bien caro", "para nada").
 * R_WISH: Spanish words that open a wish, a demand or a "should" ("ojalá",
 * "quisiera", "deberían", "exigimos"); R_WISH_QUE: those that do before
 * "que" ("espero que", "quiero que"). See es_irrealis in sentiment.c.
 * R_COND: "sería", a wish only with its written accent ("seria" is also
 * the adjective "serious").
 */
enum role {
	R_NONE, R_NEGATOR, R_BOOST, R_DAMP, R_CONTRAST, R_POCO, R_SKIP, R_POST_BOOST, R_LEAST, R_SPECIAL, R_WISH,
	R_WISH_QUE, R_COND
};

struct rule_word {
	const char *key;
	unsigned char role;
};

/* English, from the VADER paper's description. */
static const struct rule_word en_rules[] = {
	{"absolutely", R_BOOST}, {"ain't", R_NEGATOR}, {"aint", R_NEGATOR}, {"almost", R_DAMP},
	{"amazingly", R_BOOST}, {"aren't", R_NEGATOR}, {"arent", R_NEGATOR}, {"awfully", R_BOOST},
	{"barely", R_DAMP}, {"but", R_CONTRAST}, {"cannot", R_NEGATOR}, {"cant", R_NEGATOR},
	{"completely", R_BOOST}, {"considerably", R_BOOST}, {"couldnt", R_NEGATOR}, {"decidedly", R_BOOST},
	{"deeply", R_BOOST}, {"didnt", R_NEGATOR}, {"doesnt", R_NEGATOR}, {"dont", R_NEGATOR},
	{"enormously", R_BOOST}, {"entirely", R_BOOST}, {"especially", R_BOOST}, {"exceptionally", R_BOOST},
	{"extremely", R_BOOST}, {"fabulously", R_BOOST}, {"fully", R_BOOST}, {"greatly", R_BOOST},
	{"hadnt", R_NEGATOR}, {"hardly", R_DAMP}, {"hasnt", R_NEGATOR}, {"havent", R_NEGATOR},
	{"hella", R_BOOST}, {"highly", R_BOOST}, {"however", R_CONTRAST}, {"hugely", R_BOOST},
	{"incredibly", R_BOOST}, {"intensely", R_BOOST}, {"isnt", R_NEGATOR}, {"kinda", R_DAMP},
	{"less", R_DAMP}, {"little", R_DAMP}, {"majorly", R_BOOST}, {"marginally", R_DAMP},
	{"more", R_BOOST}, {"most", R_BOOST}, {"neither", R_NEGATOR}, {"never", R_NEGATOR},
	{"none", R_NEGATOR}, {"no", R_NEGATOR}, {"nope", R_NEGATOR}, {"nor", R_NEGATOR}, {"not", R_NEGATOR},
	{"nothing", R_NEGATOR}, {"nowhere", R_NEGATOR}, {"occasionally", R_DAMP}, {"particularly", R_BOOST},
	{"partly", R_DAMP}, {"purely", R_BOOST}, {"quite", R_BOOST}, {"rarely", R_NEGATOR},
	{"really", R_BOOST}, {"remarkably", R_BOOST}, {"scarcely", R_DAMP}, {"seldom", R_NEGATOR},
	{"shouldnt", R_NEGATOR}, {"slightly", R_DAMP}, {"so", R_BOOST}, {"somewhat", R_DAMP},
	{"sorta", R_DAMP}, {"substantially", R_BOOST}, {"thoroughly", R_BOOST}, {"totally", R_BOOST},
	{"tremendously", R_BOOST}, {"uber", R_BOOST}, {"unbelievably", R_BOOST}, {"unusually", R_BOOST},
	{"utterly", R_BOOST}, {"very", R_BOOST}, {"wasnt", R_NEGATOR}, {"werent", R_NEGATOR},
	{"without", R_NEGATOR}, {"wont", R_NEGATOR}, {"wouldnt", R_NEGATOR}, {"least", R_LEAST}, {"kind", R_SPECIAL}, {"sort", R_SPECIAL},
};

/* Spanish. */
static const struct rule_word es_rules[] = {
	{"algo", R_DAMP}, {"apenas", R_DAMP}, {"aunque", R_CONTRAST}, {"bastante", R_BOOST},
	{"casi", R_DAMP}, {"completamente", R_BOOST}, {"demasiado", R_BOOST}, {"el", R_SKIP},
	{"extremadamente", R_BOOST}, {"increiblemente", R_BOOST}, {"jamas", R_NEGATOR}, {"la", R_SKIP},
	{"las", R_SKIP}, {"le", R_SKIP}, {"les", R_SKIP}, {"lo", R_SKIP}, {"los", R_SKIP},
	{"mas", R_BOOST}, {"me", R_SKIP}, {"medio", R_DAMP}, {"muchisimo", R_POST_BOOST},
	{"mucho", R_POST_BOOST}, {"muy", R_BOOST}, {"nada", R_NEGATOR}, {"nadie", R_NEGATOR},
	{"ni", R_NEGATOR}, {"ningun", R_NEGATOR}, {"ninguna", R_NEGATOR}, {"ninguno", R_NEGATOR},
	{"no", R_NEGATOR}, {"nos", R_SKIP}, {"nunca", R_NEGATOR}, {"os", R_SKIP}, {"pero", R_CONTRAST},
	{"poca", R_POCO}, {"pocas", R_POCO}, {"poco", R_POCO}, {"pocos", R_POCO}, {"re", R_BOOST},
	{"realmente", R_BOOST}, {"se", R_SKIP}, {"sin", R_NEGATOR}, {"sumamente", R_BOOST},
	{"super", R_BOOST}, {"tampoco", R_NEGATOR}, {"tan", R_BOOST}, {"te", R_SKIP},
	{"terriblemente", R_BOOST}, {"totalmente", R_BOOST}, {"tremenda", R_BOOST},
	{"tremendamente", R_BOOST}, {"tremendo", R_BOOST}, {"un", R_SKIP}, {"una", R_SKIP}, {"bien", R_SPECIAL}, {"para", R_SPECIAL},
	{"gran", R_SPECIAL},
	/* wishes, demands and "should" */
	{"agradeceria", R_WISH}, {"agradeceriamos", R_WISH}, {"agradecerian", R_WISH},
	{"deberia", R_WISH}, {"deberiamos", R_WISH}, {"deberian", R_WISH}, {"deberias", R_WISH},
	/* the conditional of ser, estar, poder: "sería genial que", "estaría bien que" */
	{"estaria", R_WISH}, {"estarian", R_WISH}, {"podria", R_WISH}, {"seria", R_COND}, {"serian", R_WISH},
	{"encantaria", R_WISH}, {"encantarian", R_WISH}, {"exigen", R_WISH}, {"exigimos", R_WISH},
	{"exigir", R_WISH}, {"exijo", R_WISH}, {"gustaria", R_WISH}, {"gustarian", R_WISH},
	{"necesitamos", R_WISH}, {"necesitan", R_WISH}, {"necesito", R_WISH}, {"ojala", R_WISH},
	{"pedimos", R_WISH}, {"piden", R_WISH}, {"pido", R_WISH}, {"podrian", R_WISH}, {"quisiera", R_WISH},
	{"quisieramos", R_WISH}, {"quisieran", R_WISH}, {"deseamos", R_WISH_QUE}, {"deseo", R_WISH_QUE},
	{"esperaba", R_WISH_QUE}, {"esperemos", R_WISH_QUE}, {"espero", R_WISH_QUE}, {"habria", R_WISH_QUE},
	{"queremos", R_WISH_QUE}, {"quiero", R_WISH_QUE}, {"tendria", R_WISH_QUE}, {"tendrian", R_WISH_QUE},
};

#endif
