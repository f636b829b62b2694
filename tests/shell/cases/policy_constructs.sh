# The new constructs meet the policy like everything else: . reads through it, test's file
# operators stat through it, exec redirections open through it, a function cannot make a
# denied command run, and exec CMD runs CMD confined.
. secret/file; echo ". status $?"
