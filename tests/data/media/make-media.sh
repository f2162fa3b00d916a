#!/bin/bash
# make-media.sh: real recordings and screenshots, made at test time (espeak-ng, ffmpeg).
#
#	tests/data/media/make-media.sh OUTDIR [voice|shot|noise BYTES NAME]...
#
# With no item after OUTDIR, makes both of:
#   OUTDIR/voice.webm  espeak-ng speaking a sentence, encoded by ffmpeg as
#                      Opus in a WebM container (what a browser's
#                      MediaRecorder sends; libmagic calls it video/webm)
#   OUTDIR/shot.png    one frame of ffmpeg's testsrc, 320x200 (image/png)
# "noise BYTES NAME" makes OUTDIR/NAME, a WAV of white noise (16-bit mono
# 48 kHz, audio/x-wav) of BYTES bytes exactly, for the benches: a recording
# of a given size that no codec can shrink.
#
# Nothing made here is committed: the tests make it in their temporary
# directory (the small fixtures beside this script are for the unit tests).
# Exit status non-zero, with ffmpeg's or espeak-ng's complaint, when a tool
# is missing or fails.
set -u -o pipefail

out=${1:-}
[ -n "$out" ] || { echo "usage: $0 OUTDIR [voice|shot|noise BYTES NAME]..." >&2; exit 2; }
shift
mkdir -p "$out" || exit 1
for tool in ffmpeg espeak-ng; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is not installed" >&2; exit 1; }
done

# ffmpeg quiet, never asking, never stamping the time or its version (so two
# runs on the same Debian make the same bytes).
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

voice() {
	# espeak-ng writes a WAV to stdout; ffmpeg encodes it as a browser does
	# (Opus, 48 kHz, mono, WebM).
	espeak-ng --stdout -s 150 \
	    "The export button does nothing on Safari, please have a look." |
	    ff -f wav -i - -ac 1 -ar 48000 -c:a libopus -b:a 24k \
	    -fflags +bitexact -map_metadata -1 -f webm "$out/voice.webm"
}

shot() {
	ff -f lavfi -i testsrc=size=320x200:rate=1 -frames:v 1 \
	    -fflags +bitexact -f image2 -c:v png "$out/shot.png"
}

# noise BYTES NAME: a bit-exact WAV has a 44-byte header; 2 bytes a sample.
noise() {
	local bytes=$1 name=$2 samples
	samples=$(((bytes - 44) / 2))
	[ "$samples" -gt 0 ] || { echo "$0: noise: $bytes bytes is too small" >&2; return 1; }
	ff -f lavfi -i "anoisesrc=color=white:sample_rate=48000:amplitude=0.5:seed=14" \
	    -af "atrim=end_sample=$samples" -ac 1 -c:a pcm_s16le \
	    -fflags +bitexact -map_metadata -1 -f wav "$out/$name" || return 1
	# An odd BYTES: one byte of padding after the last sample.
	if [ $(((bytes - 44) % 2)) = 1 ]; then
		printf '\0' >>"$out/$name"
	fi
}

[ $# -gt 0 ] || set -- voice shot
while [ $# -gt 0 ]; do
	case $1 in
	voice) voice || exit 1; shift ;;
	shot) shot || exit 1; shift ;;
	noise)
		[ $# -ge 3 ] || { echo "$0: noise BYTES NAME" >&2; exit 2; }
		noise "$2" "$3" || exit 1
		shift 3
		;;
	*) echo "$0: unknown item $1" >&2; exit 2 ;;
	esac
done
