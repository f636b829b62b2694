# a comment line
echo visible # not this
echo "# quoted" \#escaped
