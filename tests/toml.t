#!/usr/bin/perl
# lib/toml against the spec: every case in tests/toml/valid.txt must decode
# (tests/toml-decode, the toml-test interface) to its expected JSON, every
# case in tests/toml/invalid.txt must be refused with file:line:col.
use strict;
use warnings;
use JSON::PP;
use IPC::Open3;
use Symbol 'gensym';

my $src = $ENV{SESAME_SRC} // '.';
my $decode = ($ENV{SESAME_BUILD} // "$src/build") . "/tests/toml-decode";
my $n = 0;

sub ok {
	my ($pass, $name, @diag) = @_;
	$n++;
	print(($pass ? "ok" : "not ok") . " $n - $name\n");
	print map { "#   $_\n" } map { split /\n/ } @diag unless $pass;
	return $pass;
}

# Case files: "### name", document, optional "---" line and expectation.
sub cases {
	my ($file) = @_;
	open(my $fh, '<:raw', $file) or die "$file: $!";
	my (@cases, $c);
	while (my $line = <$fh>) {
		if ($line =~ /^### (.*)$/) {
			push @cases, $c = { name => $1, doc => '', want => undef };
		} elsif (!$c) {
			next;
		} elsif ($line =~ /^---\s?(.*)$/ && !defined $c->{want}) {
			$c->{want} = $1;
		} elsif (defined $c->{want}) {
			$c->{want} .= $line;
		} else {
			$c->{doc} .= $line;
		}
	}
	for (@cases) {
		my $d = $_->{doc};
		$d =~ s/\n\n\z/\n/;	# the blank line separating cases
		$d =~ s/<NOEOL>\n\z//;
		$d =~ s/<TAB>/\t/g;
		$d =~ s/<CR>/\r/g;
		$d =~ s/<BOM>/\xEF\xBB\xBF/g;
		$d =~ s/<x([0-9A-F]{2})>/chr(hex($1))/ge;
		$_->{doc} = $d;
		$_->{want} =~ s/^\s+|\s+$//g if defined $_->{want};
	}
	return @cases;
}

sub run_decode {
	my ($doc) = @_;
	my $err = gensym;
	my $pid = open3(my $in, my $out, $err, $decode);
	binmode $_ for ($in, $out, $err);
	print $in $doc;
	close $in;
	local $/;
	my $o = <$out> // '';
	my $e = <$err> // '';
	waitpid($pid, 0);
	return ($? >> 8, $o, $e);
}

# Tagged leaves {"type":T,"value":V} become "T:V", as the cases write them.
sub short {
	my ($v) = @_;
	if (ref $v eq 'ARRAY') {
		return [ map { short($_) } @$v ];
	}
	if (ref $v eq 'HASH') {
		my @k = sort keys %$v;
		if (@k == 2 && $k[0] eq 'type' && $k[1] eq 'value' && !ref $v->{type} && !ref $v->{value}) {
			return norm_float("$v->{type}:$v->{value}");
		}
		return { map { $_ => short($v->{$_}) } @k };
	}
	return norm_float($v);
}

# Floats compare as numbers: "1e+06" and "1000000" are the same value.
sub norm_float {
	my ($s) = @_;
	return $s unless defined $s && $s =~ /^float:(.*)$/;
	my $f = $1;
	return "float:$f" if $f =~ /^[+-]?(inf|nan)$/;
	return sprintf("float:%.17g", $f);
}

my $json = JSON::PP->new->canonical->allow_nonref;
for my $c (cases("$src/tests/toml/valid.txt")) {
	my ($rc, $out, $err) = run_decode($c->{doc});
	my ($got, $want) = ('', '');
	if ($rc == 0) {
		$got = eval { $json->encode(short(JSON::PP->new->decode($out))) } // "bad JSON: $out";
	}
	$want = eval { $json->encode(short(JSON::PP->new->decode($c->{want}))) } // "bad expectation: $@";
	ok($rc == 0 && $got eq $want, "valid: $c->{name}",
		$rc ? "exit $rc: $err" : ("got:  $got", "want: $want"));
}

for my $c (cases("$src/tests/toml/invalid.txt")) {
	my ($rc, $out, $err) = run_decode($c->{doc});
	my $where = $err =~ /^stdin:(\d+):(\d+): \S/ ? "$1:$2" : '';
	my $pass = $rc == 1 && $out eq '' && $where ne '';
	$pass &&= $where eq $c->{want} if defined $c->{want} && $c->{want} ne '';
	ok($pass, "invalid: $c->{name}" . ($where ? " ($where)" : ''),
		"exit $rc, stdout '$out', stderr '$err'", defined $c->{want} ? "want position $c->{want}" : ());
}

print "1..$n\n";
