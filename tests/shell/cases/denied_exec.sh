bash -c id; echo $?
echo && bash
echo "[$(bash -c id)]"
