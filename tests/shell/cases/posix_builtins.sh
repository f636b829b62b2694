# The POSIX builtins that need no files.
: ignored arguments; echo ": $?"
true; echo "true $?"; false; echo "false $?"
printf '%s-%d-%x-%o|%5s|%-5s|%.2s\n' str 42 255 8 ab ab abcdef
printf '%s\n' one two three
printf 'a\tb\\n\n'
printf '%b\n' 'x\ty'
printf '%c%c\n' hello world
eval 'echo evaluated; y=from-eval'; echo "$y"
cmd='echo $((1+1))'; eval "$cmd"
set -- a b c d; shift; echo "$@"; shift 2; echo "$@"
readonly r=fixed; echo "$r"
(r=changed) 2>/dev/null || echo "readonly held"
getopt_test() {
  OPTIND=1
  while getopts 'ab:c' opt "$@"; do
    case $opt in
      a) echo "got a" ;;
      b) echo "got b=$OPTARG" ;;
      c) echo "got c" ;;
      ?) echo "bad" ;;
    esac
  done
  shift $((OPTIND - 1)); echo "rest: $*"
}
getopt_test -a -b val -c file1 file2
getopt_test -ab x -- -c
command -v echo
type true
umask 027; umask
echo "${0##*/}" >/dev/null
