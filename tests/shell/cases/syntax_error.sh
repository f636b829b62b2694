touch ~/ran | | cat
