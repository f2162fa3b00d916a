/* migrate.h: placeholder until its module lands. */
