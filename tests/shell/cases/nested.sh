# A stsh inside stsh runs commands under the outer session's supervision: what this policy
# lets the nested shell start (ls, cat) runs; what it does not (sort) is denied by the outer
# supervisor; files stay as the policy says.
$SHELL --policy $POLICY -c 'echo builtins run; ls -d /; echo x | cat; sort /dev/null; echo sort=$?; cat secret/s 2>/dev/null; echo secret=$?'
echo status=$?
