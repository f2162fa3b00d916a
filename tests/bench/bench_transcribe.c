/* bench_transcribe.c: pocketsphinx's word error rate, real-time factor and peak memory on recordings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "transcribe.h"

/*
 * Usage: bench_transcribe [-u max_utterance_seconds] [-r transcription]
 *            file:seconds ...
 * Transcribes each file with [transcribe] backend = pocketsphinx and the
 * default settings (but -u), and prints per file its words, errors, wall
 * and CPU seconds, and the real-time factor (CPU / audio seconds, given
 * after the colon).  transcription is pocketsphinx-testdata's format,
 * "<s> words </s> (id)" per line; a file's id is its name without
 * directory and extension.  The last line has the totals, the word error
 * rate and the process's peak RSS (ru_maxrss).
 */

#define MAXREFS	64
#define MAXWORDS	20000

static char	*ref_id[MAXREFS], *ref_text[MAXREFS];
static size_t	 nrefs;

static void
load_refs(const char *path)
{
	FILE	*fp;
	char	*line = NULL, *open, *close, *t;
	size_t	 cap = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	while (nrefs < MAXREFS && getline(&line, &cap, fp) != -1) {
		if ((open = strrchr(line, '(')) == NULL ||
		    (close = strchr(open, ')')) == NULL)
			continue;
		*close = '\0';
		*open = '\0';
		t = line;
		if (strncmp(t, "<s>", 3) == 0)
			t += 3;
		if ((close = strstr(t, "</s>")) != NULL)
			*close = '\0';
		ref_id[nrefs] = strdup(open + 1);
		ref_text[nrefs++] = strdup(t);
	}
	free(line);
	fclose(fp);
}

static size_t
split(char *s, char **w, size_t max)
{
	size_t	 n = 0;
	char	*tok, *save;

	for (tok = strtok_r(s, " \t\n", &save); tok != NULL && n < max;
	    tok = strtok_r(NULL, " \t\n", &save))
		w[n++] = tok;
	return n;
}

/* Levenshtein distance over words, two rows. */
static size_t
word_errors(const char *ref, const char *hyp, size_t *nref)
{
	static char	*rw[MAXWORDS], *hw[MAXWORDS];
	static size_t	 prev[MAXWORDS + 1], cur[MAXWORDS + 1];
	char		*r = strdup(ref), *h = strdup(hyp);
	size_t		 nr, nh, i, j, d;

	nr = split(r, rw, MAXWORDS);
	nh = split(h, hw, MAXWORDS);
	for (j = 0; j <= nh; j++)
		prev[j] = j;
	for (i = 1; i <= nr; i++) {
		cur[0] = i;
		for (j = 1; j <= nh; j++) {
			d = prev[j - 1] + (strcmp(rw[i - 1], hw[j - 1]) != 0);
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			cur[j] = d;
		}
		memcpy(prev, cur, (nh + 1) * sizeof(prev[0]));
	}
	d = prev[nh];
	free(r);
	free(h);
	*nref = nr;
	return d;
}

static double
secs(clockid_t id)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct hark_conf	 conf;
	struct hark_transcriber	*t;
	struct hark_transcript	 out;
	struct hark_backend_err	 err;
	struct rusage		 ru;
	size_t			 words = 0, errors = 0;
	double			 audio = 0, wall = 0, cpu = 0;
	int			 c, i;

	if (hark_conf_defaults(&conf) == -1)
		return 1;
	while ((c = getopt(argc, argv, "u:r:")) != -1) {
		switch (c) {
		case 'u':
			conf.transcribe_max_utterance_seconds = atoi(optarg);
			break;
		case 'r':
			load_refs(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_transcribe [-u s] "
			    "[-r transcription] file:seconds ...\n");
			return 2;
		}
	}
	if (hark_transcriber_open("pocketsphinx", &conf, &t, &err) !=
	    HARK_BACKEND_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("%-48s %6s %6s %7s %7s %6s\n", "file", "words", "errors",
	    "wall_s", "cpu_s", "rtf");
	for (i = optind; i < argc; i++) {
		char		*path = strdup(argv[i]), *colon, *base, *dot;
		double		 len = 0, w0, c0, w, cp;
		size_t		 k, n = 0, e = 0;
		int		 rc;

		if ((colon = strrchr(path, ':')) != NULL) {
			*colon = '\0';
			len = atof(colon + 1);
		}
		w0 = secs(CLOCK_MONOTONIC);
		c0 = secs(CLOCK_PROCESS_CPUTIME_ID);
		rc = hark_transcriber_run(t, path, "", "en", &out, &err);
		w = secs(CLOCK_MONOTONIC) - w0;
		/* ffmpeg's CPU is the child's: RUSAGE_CHILDREN, after. */
		cp = secs(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (rc != HARK_BACKEND_OK) {
			fprintf(stderr, "%s: %s\n", path, err.msg);
			return 1;
		}
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		if ((dot = strrchr(base, '.')) != NULL)
			*dot = '\0';
		for (k = 0; k < nrefs; k++)
			if (strcmp(ref_id[k], base) == 0) {
				e = word_errors(ref_text[k], out.text, &n);
				break;
			}
		printf("%-48.48s %6zu %6zu %7.2f %7.2f %6.3f\n", base, n, e, w,
		    cp, len > 0 ? cp / len : 0);
		if (getenv("BENCH_VERBOSE") != NULL)
			printf("  hyp: %s\n", out.text);
		words += n;
		errors += e;
		audio += len;
		wall += w;
		cpu += cp;
		hark_transcript_free(&out);
		free(path);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("total: %zu words, %zu errors, WER %.3f, audio %.1f s, "
	    "wall %.2f s, cpu %.2f s, RTF %.3f, max_utterance %d s, "
	    "peak RSS %ld KiB\n", words, errors,
	    words ? (double)errors / (double)words : 0, audio, wall, cpu,
	    audio > 0 ? cpu / audio : 0,
	    conf.transcribe_max_utterance_seconds, ru.ru_maxrss);
	hark_transcriber_close(t);
	hark_conf_free(&conf);
	return 0;
}
