# case: patterns, alternatives, quoting, fall out, no match.
for w in apple Banana cherry.txt '*' '' x-y; do
  case $w in
    a*) echo "$w: a-word" ;;
    [A-Z]*) echo "$w: capital" ;;
    *.txt|*.md) echo "$w: text" ;;
    '*') echo "$w: a star" ;;
    "") echo "empty" ;;
    (*-*) echo "$w: dashed" ;;
  esac
done
case nothing in something) echo no ;; esac; echo "status $?"
v=abc; case abc in $v) echo "pattern from a variable" ;; esac
case a in b) ;; a) echo "a;"; esac
