cd ~ && echo nine > n9 && echo sixty-eight > n68
cat /dev/fd/3 3<n9
cat /dev/fd/9 /dev/fd/68 /dev/fd/69 9<n9 68<n68 69<n9
cat <&7 7<n68
