cd ~/globdir
echo *.txt
echo b*
echo *.none
echo "*.txt"
echo .*
