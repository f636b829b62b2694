echo x > /etc/stsh-shell-test; echo $?
echo ~/secret/*
cd ~/secret; echo $?
cat ~/secret/file; echo $?
cat ~/link.txt; echo $?
echo y > ~/secret/new; echo $?
