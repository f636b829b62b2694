~/noexec.sh; echo $?
