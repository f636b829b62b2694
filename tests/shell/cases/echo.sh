echo hello   world
echo -n no-newline; echo
echo -e "a\tb"
