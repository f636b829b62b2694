false; echo $?
true; echo $?
false && echo no || echo yes
true && echo and
! false; echo $?
