X=one; Y="two words"
echo $X ${X}2 "$Y" $Y
echo "[$UNSET]" [$UNSET] ~ ~/sub
