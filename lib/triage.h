/* triage.h: placeholder until its module lands. */
