/* keys.c: placeholder until its module lands. */
