#!/usr/bin/perl
# record.pl: appends one HTTP exchange to a JSON-lines log, for validate.js.
#
#	record.pl LOG METHOD URL STATUS HEADERS_FILE BODY_FILE [SUITE]
#
# Called by req() in tests/integration/lib.sh when HARK_RESPONSE_LOG is set.
# The header file is curl's -D output; only its last block is kept (a 100
# Continue comes before the final answer).  A body that is not UTF-8 is
# kept as base64 in body_base64.
use strict;
use warnings;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Encode qw(decode FB_CROAK);
use Fcntl qw(:flock);

my ($log, $method, $url, $status, $hfile, $bfile, $suite) = @ARGV;
die "usage: record.pl LOG METHOD URL STATUS HEADERS BODY [SUITE]\n"
    unless defined $bfile;

sub slurp {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or return '';
	local $/;
	my $s = <$fh>;
	return defined $s ? $s : '';
}

my @blocks = split /\r?\n\r?\n/, slurp($hfile);
@blocks = grep { /^HTTP\// } @blocks;
my @headers;
if (@blocks) {
	my @lines = split /\r?\n/, $blocks[-1];
	shift @lines;	# the status line
	for (@lines) {
		push @headers, [$1, $2] if /^([^:\s]+):[ \t]*(.*?)[ \t]*$/;
	}
}
my %rec = (
	suite => $suite // '',
	method => $method,
	url => $url,
	status => $status + 0,
	headers => \@headers,
);
my $raw = slurp($bfile);
my $text = eval { decode('UTF-8', $raw, FB_CROAK) };
if (defined $text) {
	$rec{body} = $text;
} else {
	$rec{body_base64} = encode_base64($raw, '');
}
my $line = JSON::PP->new->canonical->encode(\%rec) . "\n";
open(my $out, '>>:raw', $log) or die "record.pl: $log: $!\n";
flock($out, LOCK_EX);
print $out Encode::encode('UTF-8', $line);
close($out) or die "record.pl: $log: $!\n";
