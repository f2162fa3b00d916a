/* ids.h: placeholder until its module lands. */
