#!/usr/bin/python3
# gen-normalize.py: writes tests/data/normalize.txt, the vectors of
# tests/unit/test_normalize.c, from Python's unicodedata (the reference the
# C code is checked against).  Seeded, so the output is the same each run:
#
#	/usr/bin/python3 tests/data/gen-normalize.py > tests/data/normalize.txt
import random
import unicodedata

random.seed(20261203)
POOLS = [
    list(range(0x41, 0x5B)) + list(range(0x61, 0x7B)),
    list(range(0xC0, 0x180)),
    list(range(0x300, 0x370)),          # combining marks
    list(range(0x391, 0x3CA)),          # Greek, final sigma included
    list(range(0x400, 0x460)),          # Cyrillic
    list(range(0x1100, 0x1113)) + list(range(0x1161, 0x1176)) +
    list(range(0x11A8, 0x11C3)),        # Hangul jamo
    list(range(0xAC00, 0xAC40)),        # Hangul syllables
    list(range(0x1E00, 0x1F00)),        # Latin Extended Additional
    list(range(0x1F00, 0x2000)),        # Greek Extended
    [0x130, 0x131, 0x212B, 0x2126, 0x212A, 0xFB00, 0xFB01, 0xFB03, 0x1E9E,
     0xDF, 0x345, 0x390, 0x3B0, 0x1FB3, 0x1FBC],     # special casings
    [0x20, 0x09, 0x0A, 0x0D, 0xA0, 0x2003, 0x3000, 0x2028],
    list(range(0x30A1, 0x30F7)) + [0x3099, 0x309A],  # Katakana + marks
    list(range(0x0F40, 0x0F80)),        # Tibetan (reordering)
    [0x1F600, 0x10400, 0x10428, 0x1E900, 0x1E922],   # astral, cased
]
WS = set([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680] +
         list(range(0x2000, 0x200B)) + [0x2028, 0x2029, 0x202F, 0x205F,
                                        0x3000])


def dedup_form(s):
    t = unicodedata.normalize('NFC', unicodedata.normalize('NFC', s).casefold())
    out, space = [], False
    for ch in t:
        if ord(ch) in WS:
            space = len(out) > 0
            continue
        if space:
            out.append(' ')
        space = False
        out.append(ch)
    return ''.join(out)


print("""# normalize.txt: vectors for tests/unit/test_normalize.c: input and the
# expected dedup form (NFC, full case folding, NFC, white space squeezed), both
# as hex UTF-8, made with Python 3.11's unicodedata (Unicode 14.0.0) from
# random strings of Latin, combining marks, Greek, Cyrillic, Hangul syllables
# and jamo, Katakana, Tibetan, special casings and astral letters.""")
for i in range(3000):
    n = random.randint(1, 12)
    s = ''.join(chr(random.choice(random.choice(POOLS))) for _ in range(n))
    print(s.encode('utf-8').hex() + ' ' + dedup_form(s).encode('utf-8').hex())
