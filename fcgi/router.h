/* router.h: placeholder until its module lands. */
