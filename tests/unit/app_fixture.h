/* app_fixture.h: a unit test's real application (route table, default configuration), made and freed around each test. */
#ifndef HARK_TEST_APP_FIXTURE_H
#define HARK_TEST_APP_FIXTURE_H

#include <check.h>

#include "app.h"
#include "conf.h"

static struct hark_conf	conf;
static struct hark_app	*app;

/* Runs between the defaults and the app: a test's own settings. */
static void	app_fixture_tune(struct hark_conf *);

static void
app_setup(void)
{
	ck_assert_int_eq(hark_conf_defaults(&conf), 0);
	app_fixture_tune(&conf);
	app = hark_app_new(&conf);
	ck_assert_ptr_nonnull(app);
}

static void
app_teardown(void)
{
	hark_app_free(app);
	hark_conf_free(&conf);
}

#endif
