cd ~
echo "$(cd /usr; pwd)"; pwd
cd /usr | cat; pwd
x=$(Y=1; echo $Y); echo "[$Y] $x"
echo $(exit 5) survived
x=$(false); echo status=$?
