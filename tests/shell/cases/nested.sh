$SHELL --policy $POLICY -c "echo builtins run; true"; echo status=$?
