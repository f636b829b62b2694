cd ~
echo first > out.txt
echo second >> out.txt
cat < out.txt
ls /nonexistent 2> err.txt; cat err.txt | wc -l
ls /nonexistent > both.txt 2>&1; wc -l < both.txt
ls /nonexistent &> both.txt; wc -l < both.txt
echo to-stderr 1>&2
