/* utf8.h: placeholder until its module lands. */
