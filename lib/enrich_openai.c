/*
 * enrich_openai.c: the "openai" enricher, which asks an OpenAI-compatible
 * /v1/chat/completions for one strict JSON object
 *	{category, sentiment, impactScore, summary, title, language, spam}
 * about a feedback text.
 *
 * The system prompt and the JSON schema come from one file ([enrich]
 * prompt_file, conf/enrich-openai.json as installed), read once at init.
 * The request asks for response_format {"type": "json_schema", "strict":
 * true}; a server that refuses it (a 400 naming response_format or
 * json_schema, as llama.cpp, older vLLM and LocalAI builds answer) is asked
 * again at once with {"type": "json_object"} and the schema written into
 * the system prompt, and this run keeps to json_object from then on.
 *
 * Whatever the server promised, every field is checked here against
 * hark's own rules (answer_fields below: the six categories, the three
 * sentiments, impactScore 0..HARK_IMPACT_MAX, bounded summary and title, a
 * BCP 47 language of 2 or 3 letters, a boolean spam, nothing else).  An answer that breaks
 * one is HARK_BACKEND_RETRY with a message naming the field; after the
 * last attempt hark-batch's enrich job falls back to the builtin enricher
 * and records that.  HTTP statuses map as lib/openai.h says; a 400 that is
 * not about response_format (a text over the model's context) is a
 * failure, and the fallback comes at once.
 *
 * The model gives no sentiment score: sentiment_score is +0.5, 0 or -0.5
 * from the sentiment, on the side of triage's +-0.3 thresholds.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "enrich.h"
#include "json.h"
#include "openai.h"
#include "vocab.h"

#define PROMPT_FILE_MAX		(256 * 1024)
#define ANSWER_MAX		(1024 * 1024)
#define SUMMARY_MAX		500	/* characters */
#define TITLE_MAX		120	/* characters */

struct state {
	struct hark_openai	 c;
	char			*model;
	char			*system;	/* the prompt as in the file */
	char			*system_object;	/* + the schema, for json_object */
	struct json_object	*schema;
	char			 name[64];	/* the schema's name for the API */
	int			 json_object;	/* the server refused json_schema */
};

/*
 * A BCP 47 tag whose language is 2 or 3 letters ("en", "pt-BR"): the
 * grammar also allows 5-8 letters, which lets "english" through.
 */
static int
check_language(struct json_object *v, const char **why)
{
	const char	*s = json_object_get_string(v);
	size_t		 n = strcspn(s, "-");

	if (hark_json_check_bcp47(v, why) == -1)
		return -1;
	if (n < 2 || n > 3) {
		*why = "must be a BCP 47 tag such as en or pt-BR";
		return -1;
	}
	return 0;
}

static const struct hark_json_field answer_fields[] = {
	{ .name = "category", .type = HARK_JSON_STRING,
	    .flags = HARK_JSON_REQUIRED, .one_of = hark_vocab_category },
	{ .name = "sentiment", .type = HARK_JSON_STRING,
	    .flags = HARK_JSON_REQUIRED, .one_of = hark_vocab_sentiment },
	{ .name = "impactScore", .type = HARK_JSON_INT,
	    .flags = HARK_JSON_REQUIRED, .imin = 0, .imax = HARK_IMPACT_MAX },
	{ .name = "summary", .type = HARK_JSON_STRING,
	    .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY,
	    .max = SUMMARY_MAX, .max_bytes = 4 * SUMMARY_MAX },
	{ .name = "title", .type = HARK_JSON_STRING,
	    .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY,
	    .max = TITLE_MAX, .max_bytes = 4 * TITLE_MAX },
	/* 15 bytes: struct hark_enrichment's language[16]. */
	{ .name = "language", .type = HARK_JSON_STRING,
	    .flags = HARK_JSON_REQUIRED, .max_bytes = 15,
	    .check = check_language },
	{ .name = "spam", .type = HARK_JSON_BOOL, .flags = HARK_JSON_REQUIRED },
};

static const struct hark_json_schema answer_schema = {
	answer_fields, HARK_JSON_NFIELDS(answer_fields),
	HARK_JSON_UNKNOWN_REFUSE, 0
};

/* The prompt file: {"comment"?, "name"?, "system", "schema"}. */
static const struct hark_json_field prompt_fields[] = {
	{ .name = "comment", .type = HARK_JSON_ANY },
	{ .name = "name", .type = HARK_JSON_STRING, .min = 1, .max = 64 },
	{ .name = "system", .type = HARK_JSON_STRING,
	    .flags = HARK_JSON_REQUIRED | HARK_JSON_TRIM_NONEMPTY },
	{ .name = "schema", .type = HARK_JSON_OBJECT,
	    .flags = HARK_JSON_REQUIRED },
};

static const struct hark_json_schema prompt_schema = {
	prompt_fields, HARK_JSON_NFIELDS(prompt_fields),
	HARK_JSON_UNKNOWN_REFUSE, 0
};

static void
state_free(struct state *st)
{
	if (st == NULL)
		return;
	hark_openai_free(&st->c);
	free(st->model);
	free(st->system);
	free(st->system_object);
	if (st->schema != NULL)
		json_object_put(st->schema);
	free(st);
}

/* Reads the prompt file (a regular file of at most PROMPT_FILE_MAX). */
static int
read_prompt(struct state *st, const char *path, struct hark_backend_err *err)
{
	struct hark_json_err	 jerr;
	struct json_object	*top = NULL, *schema;
	struct stat		 sb;
	const char		*s;
	char			*buf = NULL;
	ssize_t			 n;
	size_t			 len = 0;
	int			 fd, rc = HARK_BACKEND_FAIL;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &sb) == -1) {
		hark_openai_err(&st->c, err, "cannot read the prompt file %.96s: "
		    "%s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > PROMPT_FILE_MAX) {
		hark_openai_err(&st->c, err, "the prompt file %.96s is not a "
		    "regular file of at most 256K", path);
		goto out;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
		goto nomem;
	while (len < (size_t)sb.st_size &&
	    (n = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)n;
	if (hark_json_parse(buf, len, &top, &jerr) == -1 ||
	    hark_json_validate(top, &prompt_schema, &jerr) == -1) {
		hark_openai_err(&st->c, err, "the prompt file %.96s: %s%s%s",
		    path, jerr.field, jerr.field[0] != '\0' ? ": " : "",
		    jerr.message);
		goto out;
	}
	s = hark_json_str(top, "name", NULL);
	snprintf(st->name, sizeof(st->name), "%s", s != NULL ? s :
	    "hark_enrichment");
	json_object_object_get_ex(top, "schema", &schema);
	st->schema = json_object_get(schema);
	if ((st->system = strdup(hark_json_str(top, "system", NULL))) == NULL)
		goto nomem;
	/* json_object mode has no schema to give: the prompt carries it. */
	if (asprintf(&st->system_object, "%s\n\nAnswer with one JSON object "
	    "and nothing else, valid against this JSON Schema:\n%s",
	    st->system, json_object_to_json_string_ext(st->schema,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) == -1) {
		st->system_object = NULL;
		goto nomem;
	}
	rc = HARK_BACKEND_OK;
	goto out;
nomem:
	hark_openai_err(&st->c, err, "out of memory");
out:
	if (fd != -1)
		close(fd);
	if (top != NULL)
		json_object_put(top);
	free(buf);
	return rc;
}

/* Names the backend in messages before its client exists. */
static const struct hark_openai who = { .who = "openai enrichment" };

static int
openai_init(const struct hark_conf *conf, void **out,
    struct hark_backend_err *err)
{
	struct state	*st;
	int		 rc;

	if (conf == NULL) {
		hark_openai_err(&who, err, "no configuration");
		return HARK_BACKEND_FAIL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		hark_openai_err(&who, err, "out of memory");
		return HARK_BACKEND_FAIL;
	}
	if ((rc = hark_openai_init(&st->c, "openai enrichment",
	    conf->enrich_openai_url, conf->enrich_openai_path,
	    conf->enrich_openai_key, conf->enrich_openai_timeout, err)) !=
	    HARK_BACKEND_OK)
		goto fail;
	rc = HARK_BACKEND_FAIL;
	if ((st->model = strdup(conf->enrich_openai_model)) == NULL) {
		hark_openai_err(&st->c, err, "out of memory");
		goto fail;
	}
	if ((rc = read_prompt(st, conf->enrich_prompt_file, err)) !=
	    HARK_BACKEND_OK)
		goto fail;
	*out = st;
	return HARK_BACKEND_OK;
fail:
	state_free(st);
	return rc;
}

/* Adds key = v to o, taking v; -1 when v is NULL or memory runs out. */
static int
put(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static struct json_object *
message(const char *role, const char *content, size_t len)
{
	struct json_object	*m;

	if ((m = json_object_new_object()) == NULL)
		return NULL;
	if (put(m, "role", json_object_new_string(role)) == -1 ||
	    put(m, "content", json_object_new_string_len(content,
	    (int)len)) == -1) {
		json_object_put(m);
		return NULL;
	}
	return m;
}

/* The request body for text, in the state's response_format mode. */
static int
build_request(struct state *st, const char *text, size_t len,
    const char *page, struct hark_buf *out)
{
	struct json_object	*req, *msgs, *rf, *js;
	struct hark_buf		 user = { NULL, 0, 0 };
	const char		*sys;
	int			 rc = -1;

	if ((req = json_object_new_object()) == NULL)
		return -1;
	/* The page says where the person was; the text is theirs verbatim. */
	if (page != NULL && page[0] != '\0' &&
	    hark_buf_printf(&user, "Page: %s\n\nFeedback:\n", page) == -1)
		goto out;
	if (hark_buf_append(&user, text, len) == -1)
		goto out;
	sys = st->json_object ? st->system_object : st->system;
	if (put(req, "model", json_object_new_string(st->model)) == -1 ||
	    put(req, "messages", msgs = json_object_new_array()) == -1 ||
	    json_object_array_add(msgs, message("system", sys,
	    strlen(sys))) != 0 ||
	    json_object_array_length(msgs) != 1 ||
	    json_object_array_add(msgs, message("user", user.data,
	    user.len)) != 0 ||
	    json_object_array_length(msgs) != 2 ||
	    json_object_array_get_idx(msgs, 0) == NULL ||
	    json_object_array_get_idx(msgs, 1) == NULL ||
	    put(req, "response_format", rf = json_object_new_object()) == -1)
		goto out;
	if (st->json_object) {
		if (put(rf, "type", json_object_new_string("json_object")) == -1)
			goto out;
	} else if (put(rf, "type", json_object_new_string("json_schema")) ==
	    -1 || put(rf, "json_schema", js = json_object_new_object()) == -1 ||
	    put(js, "name", json_object_new_string(st->name)) == -1 ||
	    put(js, "strict", json_object_new_boolean(1)) == -1 ||
	    put(js, "schema", json_object_get(st->schema)) == -1)
		goto out;
	rc = hark_buf_puts(out, json_object_to_json_string_ext(req,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	hark_buf_free(&user);
	json_object_put(req);
	return rc;
}

/* A 400 about response_format: the server has no json_schema. */
static int
refuses_schema(long status, const struct hark_buf *body)
{
	return status == 400 && body->data != NULL &&
	    (strstr(body->data, "response_format") != NULL ||
	    strstr(body->data, "json_schema") != NULL);
}

/* Fills out from the validated object a. */
static int
take_answer(struct state *st, struct json_object *a,
    struct hark_enrichment *out, struct hark_backend_err *err)
{
	const char	*s;
	size_t		 len;

	hark_category_from_name(hark_json_str(a, "category", NULL),
	    &out->category);
	hark_sentiment_from_name(hark_json_str(a, "sentiment", NULL),
	    &out->sentiment);
	out->sentiment_score = out->sentiment == HARK_SENT_POSITIVE ? 0.5 :
	    out->sentiment == HARK_SENT_NEGATIVE ? -0.5 : 0.0;
	out->impact = (int)hark_json_int(a, "impactScore", 0);
	s = hark_json_str(a, "language", &len);
	memcpy(out->language, s, len + 1);
	out->spam = hark_json_bool(a, "spam", false) ? 1 : 0;
	s = hark_json_str(a, "summary", &len);
	if ((out->summary = strndup(s, len)) == NULL)
		goto nomem;
	s = hark_json_str(a, "title", &len);
	if ((out->title = strndup(s, len)) == NULL)
		goto nomem;
	return HARK_BACKEND_OK;
nomem:
	hark_openai_err(&st->c, err, "out of memory");
	return HARK_BACKEND_RETRY;
}

/* Reads the chat answer in body: choices[0].message.content, validated. */
static int
parse_answer(struct state *st, const struct hark_buf *body,
    struct hark_enrichment *out, struct hark_backend_err *err)
{
	struct json_object	*top = NULL, *a = NULL, *v;
	struct hark_json_err	 jerr;
	const char		*content, *finish;
	size_t			 len;
	int			 rc = HARK_BACKEND_RETRY;

	if (body->len == 0 || hark_json_parse(body->data, body->len, &top,
	    &jerr) == -1) {
		hark_openai_err(&st->c, err, "the answer is not JSON (%s)",
		    body->len == 0 ? "empty" : jerr.code);
		goto out;
	}
	if (!json_object_object_get_ex(top, "choices", &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) == 0 ||
	    !json_object_is_type(v = json_object_array_get_idx(v, 0),
	    json_type_object)) {
		hark_openai_err(&st->c, err, "the answer has no choices");
		goto out;
	}
	finish = hark_json_str(v, "finish_reason", NULL);
	if (!json_object_object_get_ex(v, "message", &v) ||
	    !json_object_is_type(v, json_type_object)) {
		hark_openai_err(&st->c, err, "the answer has no message");
		goto out;
	}
	if (hark_json_str(v, "refusal", NULL) != NULL) {
		hark_openai_err(&st->c, err, "the model refused");
		goto out;
	}
	if ((content = hark_json_str(v, "content", &len)) == NULL) {
		hark_openai_err(&st->c, err, "the answer has no content");
		goto out;
	}
	if (hark_json_parse(content, len, &a, &jerr) == -1) {
		hark_openai_err(&st->c, err, "the content is not a JSON object "
		    "(%s%s)", jerr.code, finish != NULL &&
		    strcmp(finish, "length") == 0 ? ", cut at the token limit" :
		    "");
		goto out;
	}
	if (hark_json_validate(a, &answer_schema, &jerr) == -1) {
		hark_openai_err(&st->c, err, "invalid answer: %s", jerr.message);
		goto out;
	}
	rc = take_answer(st, a, out, err);
out:
	if (a != NULL)
		json_object_put(a);
	if (top != NULL)
		json_object_put(top);
	return rc;
}

static int
openai_enrich(void *arg, const char *text, size_t len, const char *page,
    struct hark_enrichment *out, struct hark_backend_err *err)
{
	struct state		*st = arg;
	struct hark_web_req	 r;
	struct hark_buf		 req = { NULL, 0, 0 }, body = { NULL, 0, 0 };
	long			 status;
	int			 rc, tries;

	for (tries = 0; tries < 2; tries++) {
		hark_buf_reset(&req);
		hark_buf_reset(&body);
		if (build_request(st, text, len, page, &req) == -1) {
			hark_openai_err(&st->c, err, "out of memory");
			rc = HARK_BACKEND_RETRY;
			break;
		}
		memset(&r, 0, sizeof(r));
		r.content_type = "application/json";
		r.body = req.data;
		r.len = req.len;
		rc = hark_openai_post(&st->c, &r, ANSWER_MAX, &status, &body,
		    err);
		if (rc == HARK_BACKEND_OK) {
			rc = parse_answer(st, &body, out, err);
			break;
		}
		if (st->json_object || !refuses_schema(status, &body))
			break;
		/* Once per run: later texts go straight to json_object. */
		st->json_object = 1;
	}
	hark_buf_free(&req);
	hark_buf_free(&body);
	return rc;
}

static void
openai_free(void *arg)
{
	state_free(arg);
}

const struct hark_enricher_ops hark_enricher_openai = {
	.name = "openai",
	.init = openai_init,
	.enrich = openai_enrich,
	.free = openai_free,
};
