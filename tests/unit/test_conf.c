/* test_conf.c: placeholder until its tests land. */
#include <check.h>
#include <stdlib.h>

int
main(void)
{
	Suite	*s = suite_create("conf");
	SRunner	*sr = srunner_create(s);
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
