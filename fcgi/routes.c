/* routes.c: placeholder until its module lands. */
