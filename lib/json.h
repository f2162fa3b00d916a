/* json.h: placeholder until its module lands. */
