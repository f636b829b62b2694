cat <<EOF
hello $USER
  $(echo substituted)
EOF
cat <<"EOF"
literal $USER
EOF
cat <<-EOF
	tabs stripped
	EOF
tr a-z A-Z <<< "here string"
