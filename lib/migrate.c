/* migrate.c: placeholder until its module lands. */
