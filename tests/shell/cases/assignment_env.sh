GREETING=hi env | grep ^GREETING=
echo "[$GREETING]"
export SHARED=yes; env | grep ^SHARED=
unset SHARED; env | grep ^SHARED= || echo unset-works
