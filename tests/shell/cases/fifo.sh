cat ~/fifo > ~/got.txt &
sleep 1; echo through-fifo > ~/fifo
sleep 0.5; cat ~/got.txt
