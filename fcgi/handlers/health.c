/* health.c: placeholder until its module lands. */
