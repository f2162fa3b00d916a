/* ids.c: placeholder until its module lands. */
