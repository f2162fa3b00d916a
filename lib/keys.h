/* keys.h: placeholder until its module lands. */
