/*
 * bench_token.c: what the widget flow's CPU work costs per request: signing
 * and verifying a token (lib/token.c), and the dedup form and hash of a
 * message (lib/normalize.c) for a 200-character English message and one of
 * mixed scripts.
 *
 * usage: bench_token [iterations]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "normalize.h"
#include "token.h"

#define SRC	"src_0123456789abcdefghjkmnpqrs"
#define ORIGIN	"https://shop.example.com"

static double
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
	struct hark_token_keys	 k;
	unsigned char		 h[32];
	char			 t[HARK_TOKEN_MAX];
	const char		*en = "The checkout page freezes after I enter my "
				    "card details and press pay. It worked last "
				    "week; now the spinner never stops and I am "
				    "not sure whether I was charged. Please fix!!";
	const char		*mixed = "Der Export-Knopf funktioniert nicht "
				    "\xe2\x80\x94 \xc3\x89" "CHEC de l'export, "
				    "\xce\xa3\xce\xa6\xce\x91\xce\x9b\xce\x9c\xce\x91 "
				    "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 "
				    "Stra\xc3\x9f" "e  caf\x65\xcc\x81 \xe6\x97\xa5\xe6\x9c\xac";
	long			 i, n = argc > 1 ? atol(argv[1]) : 200000;
	double			 t0, sign, verify, nen, nmix;

	memset(&k, 0, sizeof(k));
	memset(k.cur, 'k', 40);
	k.cur_len = 40;
	t0 = now_us();
	for (i = 0; i < n; i++)
		if (hark_token_sign(&k, SRC, ORIGIN, 1764750000LL + i, 1800, t,
		    sizeof(t), NULL) != 0)
			return 1;
	sign = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++)
		if (hark_token_verify(&k, t, SRC, ORIGIN, 1764750000LL + n,
		    NULL) != HARK_TOKEN_OK)
			return 1;
	verify = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++)
		hark_normalize_dedup_hash(en, strlen(en), h);
	nen = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++)
		hark_normalize_dedup_hash(mixed, strlen(mixed), h);
	nmix = (now_us() - t0) / n;
	printf("%ld iterations\n", n);
	printf("token sign           %6.2f us\n", sign);
	printf("token verify         %6.2f us\n", verify);
	printf("dedup hash, %zu B en  %6.2f us\n", strlen(en), nen);
	printf("dedup hash, %zu B mix %6.2f us\n", strlen(mixed), nmix);
	return 0;
}
