# set -e, -u, -f, -C, -- and $-.
set -f; echo *; set +f
set -- a b; echo "$# $1"
set -- ; echo "$#"
(set -u; echo "${unset_a-ok}"; echo "$unset_b"; echo never) 2>/dev/null; echo "set -u status $?"
(set -e; false || true; echo "after ||"; if false; then :; fi; ! true; echo "after !"; false; echo never); echo "set -e status $?"
(set -e; f() { false; echo "not reached"; }; f; echo never) ; echo "set -e in function $?"
(set -e; x=$(false); echo never) ; echo "set -e assignment $?"
(set -e; false && true; echo "after &&")
echo data > clob.txt
(set -C; echo again > clob.txt) 2>/dev/null || echo "noclobber refused"; cat clob.txt
(set -C; echo forced >| clob.txt); cat clob.txt
case $- in *e*) echo "e set" ;; *) echo "e not set" ;; esac
